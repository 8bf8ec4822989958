export { startEmulator, NonLoopbackHostError, UnknownTargetError, type Emulator, type EmulatorOptions, type EmulatedTarget } from './emulator';
export { describeTargets } from './describe';
export { ManualClock, ScaledClock, InvalidTimeScaleError, type Clock } from './clock';
export { TokenBucket } from './token-bucket';
export { FixedWindowCounter, SlidingWindowCounter } from './window-counter';
export { REFILL_ALGORITHMS, type Limiter, type RefillAlgorithm } from './limiter';
export { TargetQuota, QuotaConfigError, type AdmissionDecision, type LimitSnapshot, type QuotaOptions, type QuotaSnapshot, type QuotaTicket } from './target-quota';
export {
  faultSchema, faultsFileSchema, parseFaultsFile, loadFaultsFile, FaultBook, FaultsFileError, UnknownFaultTargetError,
  type Fault, type FaultInput, type FaultKind, type FaultsByTarget, type FaultsFile,
} from './faults';
export { DEFAULT_LATENCY, InvalidLatencyError, type LatencyModel } from './latency';
export { estimateTokens, generateCompletion, DEFAULT_COMPLETION_LENGTH, type Completion, type CompletionLength } from './completion';
export type { TargetStats, TargetStatsView } from './stats';
export { MALFORMED_HEADER_VALUE } from './wire/headers';

/** A plan with one small-limit target per provider, for testing clients against the emulator. */
export { fidelityPlan, FIDELITY_TARGETS } from './testing/fidelity-plan';
