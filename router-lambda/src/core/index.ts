/** The pure router core: no SDK, no I/O, no clock or randomness of its own. */
export * from './contracts';
export * from './errors';
export { seededRng, type Rng } from './rng';
export { Router, type RouterOptions, type Ticket, type Placement, type Completion, type SharedEffects } from './router';
export { argmaxWhenFresh, DEFAULT_STRATEGY, powerOfTwoChoices, headroomWeighted, mostHeadroom, type Candidate, type SelectionStrategy } from './selection';
export { LEARNING_DEFAULTS, type LearningOptions } from './learned-capacity';
export { PROBE_DEFAULTS, type ProbeOptions } from './capacity-probe';
export { InMemorySharedStore } from './in-memory-store';
export { SUB_WINDOW_MS, TRAILING_MS } from './sliding-windows';
export type { TargetStatus } from './target-state';
export type { BreakerOptions, BreakerState, BreakerView } from './circuit-breaker';
export type { RetryBudgetOptions, RetryBudgetView } from './retry-budget';
export type { CooldownState } from './cooldown';
export type { BucketView } from './bucket';
export type { HeadroomView } from './headroom';
