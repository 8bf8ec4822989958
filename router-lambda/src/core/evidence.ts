import { positiveOption } from './errors';

/** Tolerance for float comparisons; the same one decides "fits" and "when it fits", so they agree. */
export const EPSILON = 1e-9;
export const MS_PER_MINUTE = 60_000;

/**
 * Evidence about a bucket from outside our own accounting (a rate-limit header, the shared store,
 * a 429): the level at `at`, which then ages by the bucket's refill (capacity / 60 s) and is
 * charged with our own bookings made after it was observed. After a minute it is full again, so
 * stale evidence fades on its own. Plain data.
 */
export interface EvidenceState {
  readonly capacity: number;
  readonly level: number;
  /** When `level` was last brought up to date. */
  readonly at: number;
  /** When the evidence itself was observed; fresher evidence replaces older, never the reverse. */
  readonly observedAt: number;
}

export function observedEvidence(capacity: number, level: number, observedAt: number): EvidenceState {
  positiveOption('capacity', capacity);
  return { capacity, level: Math.min(capacity, level), at: observedAt, observedAt };
}

function refillPerMs(evidence: EvidenceState): number {
  return evidence.capacity / MS_PER_MINUTE;
}

export function evidenceLevel(evidence: EvidenceState, now: number): number {
  const elapsed = Math.max(0, now - evidence.at);
  return Math.min(evidence.capacity, evidence.level + elapsed * refillPerMs(evidence));
}

/** Take `amount` at `now` (negative gives back, up to capacity). */
export function chargeEvidence(evidence: EvidenceState, amount: number, now: number): EvidenceState {
  const at = Math.max(evidence.at, now);
  return { ...evidence, level: Math.min(evidence.capacity, evidenceLevel(evidence, at) - amount), at };
}

/** Milliseconds until `amount` fits: 0 now, Infinity if it exceeds the capacity itself. Exact to the ms. */
export function evidenceMsUntil(evidence: EvidenceState, amount: number, now: number): number {
  if (amount > evidence.capacity + EPSILON) return Number.POSITIVE_INFINITY;
  const missing = amount - evidenceLevel(evidence, now);
  if (missing <= EPSILON) return 0;
  return Math.max(1, Math.ceil((missing - EPSILON) / refillPerMs(evidence)));
}

/**
 * The same evidence against a new capacity (a learned limit): the bucket stays as full, as a share,
 * as it was (a provider found to hold half its figure was as empty as we believed, not emptier),
 * and refill follows the new capacity from `now`.
 */
export function recapacitateEvidence(evidence: EvidenceState, capacity: number, now: number): EvidenceState {
  positiveOption('capacity', capacity);
  const at = Math.max(evidence.at, now);
  const level = (evidenceLevel(evidence, at) * capacity) / evidence.capacity;
  return { ...evidence, capacity, level: Math.min(capacity, level), at };
}
