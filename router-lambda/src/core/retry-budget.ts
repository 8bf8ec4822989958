import { InvalidOptionError, positiveOption } from './errors';
import { emptyLedger, ledgerAdd, ledgerTotal, pruneLedger, type LedgerState } from './sliding-ledger';

/**
 * Envoy-style retry budget for one target: retries caused by its failures may be at most
 * `fraction` of the requests it was sent over a sliding window, with a floor of `minRetries` so a
 * quiet target can still fail over. Plain data.
 */
export interface RetryBudgetOptions {
  /** Share of requests that may be retried. @default the config's routing.retryBudget (0.2) */
  readonly fraction: number;
  /** Retries allowed per window whatever the traffic (Envoy's min_retry_concurrency). @default 3 */
  readonly minRetries?: number;
  /** @default 10000 */
  readonly windowMs?: number;
  /** @default 1000 */
  readonly slotMs?: number;
}

export interface RetryBudgetState {
  readonly requests: LedgerState;
  readonly retries: LedgerState;
  /** Retries refused since the router started (a counter for metrics). */
  readonly denials: number;
}

export interface ResolvedRetryBudgetOptions {
  readonly fraction: number;
  readonly minRetries: number;
}

export function resolveRetryBudget(options: RetryBudgetOptions): ResolvedRetryBudgetOptions {
  if (!(options.fraction >= 0 && options.fraction <= 1)) throw new InvalidOptionError({ option: 'retryBudget.fraction', received: options.fraction, allowed: 'a number in [0, 1]' });
  const minRetries = options.minRetries ?? 3;
  if (!(Number.isInteger(minRetries) && minRetries >= 0)) throw new InvalidOptionError({ option: 'retryBudget.minRetries', received: minRetries, allowed: 'an integer >= 0' });
  return { fraction: options.fraction, minRetries };
}

export function createRetryBudget(options: RetryBudgetOptions): RetryBudgetState {
  resolveRetryBudget(options);
  const windowMs = positiveOption('retryBudget.windowMs', options.windowMs ?? 10_000);
  const slotMs = positiveOption('retryBudget.slotMs', options.slotMs ?? 1_000);
  return { requests: emptyLedger(windowMs, slotMs), retries: emptyLedger(windowMs, slotMs), denials: 0 };
}

export function recordRequest(state: RetryBudgetState, now: number): RetryBudgetState {
  return { ...state, requests: ledgerAdd(pruneLedger(state.requests, now), 1, now) };
}

export interface RetryBudgetView {
  readonly requests: number;
  readonly retries: number;
  /** Retries allowed in the current window. */
  readonly allowance: number;
  readonly denials: number;
}

export function retryBudgetView(state: RetryBudgetState, options: ResolvedRetryBudgetOptions, now: number): RetryBudgetView {
  const requests = ledgerTotal(state.requests, now);
  return {
    requests,
    retries: ledgerTotal(state.retries, now),
    allowance: Math.max(options.minRetries, Math.floor(options.fraction * requests + 1e-9)),
    denials: state.denials,
  };
}

/** Ask to retry; an allowed retry is recorded against the budget, a refused one counted as a denial. */
export function tryRetry(state: RetryBudgetState, options: ResolvedRetryBudgetOptions, now: number): { allowed: boolean; state: RetryBudgetState } {
  const view = retryBudgetView(state, options, now);
  if (view.retries + 1 > view.allowance) return { allowed: false, state: { ...state, denials: state.denials + 1 } };
  return { allowed: true, state: { ...state, retries: ledgerAdd(pruneLedger(state.retries, now), 1, now) } };
}
