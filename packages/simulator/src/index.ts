/** @headroom/simulator: the real router core against emulated quotas, peers and a pooled oracle, in virtual time. */
export * from './model';
export { Random, percentile } from './random';
export { TrafficStream, shapeAt, type Shape, type TrafficModel } from './traffic';
export { Upstream, synthesizeHeaders, type Degradation } from './upstream';
export { SimSharedStore, type StoreModel } from './shared-store';
export { runSimulation, type RunSpec, type RunResult, type LatencyModel, type ClientRetryModel } from './engine';
export { headroomStrategy, attemptOutcome } from './strategies/headroom';
export { fixedPrimaryStrategy, roundRobinStrategy, portkeyStrategy, directStrategy, eligibleTargets, declaredTokens } from './strategies/stateless';
export { liteLlmStrategy, type LiteLlmOptions } from './strategies/litellm';
export { oracleStrategy } from './strategies/oracle';
export { scenarios, chatbotPlan, azurePlan, type Scenario } from './scenarios';
export { measureScenario, bisect, referenceOf, targetRatePerMin, TOLERANCES, type ScenarioResult, type StrategyResult, type Sustainable } from './measure';
export { allStrategies } from './strategies/all';
export { simulatePlanMultiplier, type PlanSimulation, type SimulatePlanOptions } from './plan-simulate';
