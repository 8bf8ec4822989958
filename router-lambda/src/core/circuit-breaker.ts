import type { AttemptOutcome } from './contracts';
import { InvalidOptionError, positiveOption } from './errors';
import { emptyLedger, ledgerAdd, ledgerTotal, pruneLedger, type LedgerState } from './sliding-ledger';

/**
 * Per-target circuit breaker, as data. Closed counts failures; it opens after N consecutive
 * failures or when the failure ratio over a sliding window passes a threshold (with enough calls).
 * Open parks the target until `halfOpenAt` (exponential backoff per reopening). Half-open admits
 * a limited number of probes: a success closes, a failure reopens with a longer backoff.
 */
export type BreakerState =
  | { readonly kind: 'closed'; readonly consecutiveFailures: number; readonly calls: LedgerState; readonly failures: LedgerState }
  | { readonly kind: 'open'; readonly openedAt: number; readonly halfOpenAt: number; readonly reopenings: number }
  | { readonly kind: 'half-open'; readonly probes: readonly number[]; readonly reopenings: number };

export interface BreakerOptions {
  /** @default 5 */
  readonly consecutiveFailures?: number;
  /** Failure share over the window that opens the breaker. @default 0.5 */
  readonly failureRatio?: number;
  /** Calls in the window before the ratio counts. @default 10 */
  readonly minThroughput?: number;
  /** @default 30000 */
  readonly windowMs?: number;
  /** First open period; doubles per reopening. @default 5000 */
  readonly halfOpenAfterMs?: number;
  /** @default 60000 */
  readonly maxHalfOpenAfterMs?: number;
  /** Probes admitted at once while half-open. @default 1 */
  readonly probes?: number;
  /** A probe with no outcome after this long is forgotten (it resolves by timeout anyway). @default 60000 */
  readonly probeTimeoutMs?: number;
}

export type ResolvedBreakerOptions = Required<BreakerOptions>;

export function resolveBreakerOptions(options: BreakerOptions = {}): ResolvedBreakerOptions {
  const resolved: ResolvedBreakerOptions = {
    consecutiveFailures: options.consecutiveFailures ?? 5,
    failureRatio: options.failureRatio ?? 0.5,
    minThroughput: options.minThroughput ?? 10,
    windowMs: positiveOption('breaker.windowMs', options.windowMs ?? 30_000),
    halfOpenAfterMs: positiveOption('breaker.halfOpenAfterMs', options.halfOpenAfterMs ?? 5_000),
    maxHalfOpenAfterMs: positiveOption('breaker.maxHalfOpenAfterMs', options.maxHalfOpenAfterMs ?? 60_000),
    probes: options.probes ?? 1,
    probeTimeoutMs: positiveOption('breaker.probeTimeoutMs', options.probeTimeoutMs ?? 60_000),
  };
  for (const option of ['consecutiveFailures', 'minThroughput', 'probes'] as const) {
    const value = resolved[option];
    if (!(Number.isInteger(value) && value >= 1)) throw new InvalidOptionError({ option: `breaker.${option}`, received: value, allowed: 'an integer >= 1' });
  }
  if (!(resolved.failureRatio > 0 && resolved.failureRatio <= 1)) {
    throw new InvalidOptionError({ option: 'breaker.failureRatio', received: resolved.failureRatio, allowed: 'a number in (0, 1]' });
  }
  return resolved;
}

export function closedBreaker(options: ResolvedBreakerOptions): BreakerState {
  const slotMs = Math.max(1, Math.floor(options.windowMs / 30));
  return { kind: 'closed', consecutiveFailures: 0, calls: emptyLedger(options.windowMs, slotMs), failures: emptyLedger(options.windowMs, slotMs) };
}

/** How the breaker reads an outcome: quota (429) is the cooldown's business, and a client error says the target is healthy. */
export function breakerVerdict(outcome: AttemptOutcome): 'success' | 'failure' | 'neutral' {
  switch (outcome.kind) {
    case 'success':
    case 'client-error':
      return 'success';
    case 'throttled':
      return 'neutral';
    case 'overloaded':
    case 'server-error':
    case 'timeout':
    case 'connection-error':
      return 'failure';
  }
}

function liveProbes(probes: readonly number[], options: ResolvedBreakerOptions, now: number): number[] {
  return probes.filter((at) => at + options.probeTimeoutMs > now);
}

/** Whether a request may be placed now: normally, as a probe, or not at all. */
export function breakerAdmits(state: BreakerState, options: ResolvedBreakerOptions, now: number): 'yes' | 'probe' | 'no' {
  switch (state.kind) {
    case 'closed': return 'yes';
    case 'open': return now >= state.halfOpenAt ? 'probe' : 'no';
    case 'half-open': return liveProbes(state.probes, options, now).length < options.probes ? 'probe' : 'no';
  }
}

/** The earliest moment the breaker admits a request (`now` if it does). */
export function breakerAvailableAt(state: BreakerState, options: ResolvedBreakerOptions, now: number): number {
  if (breakerAdmits(state, options, now) !== 'no') return now;
  if (state.kind === 'open') return state.halfOpenAt;
  if (state.kind === 'half-open') return Math.min(...liveProbes(state.probes, options, now)) + options.probeTimeoutMs;
  return now;
}

/** Record a placement; a placement while open-and-due or half-open is a probe. */
export function breakerOnPlaced(state: BreakerState, options: ResolvedBreakerOptions, now: number): BreakerState {
  if (state.kind === 'open') return { kind: 'half-open', probes: [now], reopenings: state.reopenings };
  if (state.kind === 'half-open') return { ...state, probes: [...liveProbes(state.probes, options, now), now] };
  return state;
}

function open(reopenings: number, options: ResolvedBreakerOptions, now: number): BreakerState {
  const backoff = Math.min(options.maxHalfOpenAfterMs, options.halfOpenAfterMs * 2 ** reopenings);
  return { kind: 'open', openedAt: now, halfOpenAt: now + backoff, reopenings };
}

/**
 * Feed an outcome. `probe` says the attempt was placed as a probe (and `placedAt` when): outcomes of
 * ordinary attempts that arrive after the breaker left `closed` are stale and change nothing.
 */
export function breakerOnOutcome(state: BreakerState, options: ResolvedBreakerOptions, verdict: 'success' | 'failure' | 'neutral', probe: boolean, placedAt: number, now: number): BreakerState {
  if (state.kind === 'half-open' && probe) {
    if (verdict === 'success') return closedBreaker(options);
    if (verdict === 'failure') return open(state.reopenings + 1, options, now);
    const index = state.probes.indexOf(placedAt);
    return { ...state, probes: state.probes.filter((_, i) => i !== index) };
  }
  if (state.kind !== 'closed' || verdict === 'neutral') return state;
  const calls = ledgerAdd(pruneLedger(state.calls, now), 1, now);
  if (verdict === 'success') return { ...state, consecutiveFailures: 0, calls };
  const failures = ledgerAdd(pruneLedger(state.failures, now), 1, now);
  const consecutiveFailures = state.consecutiveFailures + 1;
  const total = ledgerTotal(calls, now);
  const ratioTripped = total >= options.minThroughput && ledgerTotal(failures, now) / total >= options.failureRatio;
  if (consecutiveFailures >= options.consecutiveFailures || ratioTripped) return open(0, options, now);
  return { ...state, consecutiveFailures, calls, failures };
}

/** A compact view for /status (no ledgers). */
export type BreakerView =
  | { readonly kind: 'closed'; readonly consecutiveFailures: number }
  | { readonly kind: 'open'; readonly halfOpenAt: number; readonly reopenings: number }
  | { readonly kind: 'half-open'; readonly probesInFlight: number; readonly reopenings: number };

export function breakerView(state: BreakerState, options: ResolvedBreakerOptions, now: number): BreakerView {
  switch (state.kind) {
    case 'closed': return { kind: 'closed', consecutiveFailures: state.consecutiveFailures };
    case 'open': return { kind: 'open', halfOpenAt: state.halfOpenAt, reopenings: state.reopenings };
    case 'half-open': return { kind: 'half-open', probesInFlight: liveProbes(state.probes, options, now).length, reopenings: state.reopenings };
  }
}
