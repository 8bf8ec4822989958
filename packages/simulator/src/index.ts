/** @headroom/simulator: the real router core against emulated quotas, peers and a pooled oracle, in virtual time. */
export * from './model';
export { Random, percentile } from './random';
export { TrafficStream, shapeAt, ORDINARY_PROMPT_CAP, type Shape, type TrafficModel } from './traffic';
export { Upstream, synthesizeHeaders, type Degradation, type Failure } from './upstream';
export { quotaFactorOf, trueLimits, trueTarget, providerInputTokens, type ProviderTruth } from './truth';
export { SimSharedStore, type StoreModel } from './shared-store';
export { runSimulation, largestThreshold, MAX_HOLDS_PER_CALL, LARGEST_SHARE, type RunSpec, type RunResult, type LatencyModel, type ClientRetryModel } from './engine';
export { headroomStrategy, attemptOutcome } from './strategies/headroom';
export { fixedPrimaryStrategy, roundRobinStrategy, portkeyStrategy, directStrategy, eligibleTargets, declaredTokens } from './strategies/stateless';
export { liteLlmStrategy, type LiteLlmOptions } from './strategies/litellm';
export { oracleStrategy } from './strategies/oracle';
export { scenarios, chatbotPlan, azurePlan, type Scenario, type ScenarioGroup } from './scenarios';
export { measureScenario, runAtMultiple, scenarioSetup, bisect, referenceOf, targetRatePerMin, TOLERANCES, type ScenarioResult, type StrategyResult, type Sustainable, type ScenarioSetup, type MeasureOptions } from './measure';
export { allStrategies } from './strategies/all';
export { simulatePlanMultiplier, type PlanSimulation, type SimulatePlanOptions } from './plan-simulate';
