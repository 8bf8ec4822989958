import { positiveOption } from './errors';
import { MS_PER_MINUTE } from './evidence';

/**
 * Learning a bucket's effective limit: what the provider really enforces, when it differs from the
 * plan's declared figure (a quota lowered by the provider, a region that holds half its figure, a
 * tokenizer that counts more than ours).
 *
 * Evidence, and what it proves:
 * - A 429 with no rate-limit headers (Bedrock, Vertex send none: router-lambda/src/providers/rate-limit-headers.ts) on the
 *   bucket we believed tightest: the provider had less than the charge left. For a token bucket of
 *   capacity L refilled at L per minute (and for a fixed or sliding window of L per minute), what
 *   it still owes at t is at most what was charged in the trailing minute (A60): the deficit a
 *   minute ago (at most L) has refilled by then. So L < A60 + charge: an upper bound, tight when
 *   the load sat at the limit for the last minute. The learned limit is the lowest such bound.
 * - A header's `limit` (Anthropic `anthropic-ratelimit-*-limit`, OpenAI `x-ratelimit-limit-*`):
 *   the provider's own figure, above or below declared.
 * - A capacity probe the provider admitted while our belief had no room: the figure is too low;
 *   raise it by a step (multiplicative increase; the next headerless 429 bounds it again, as
 *   AIMD does).
 * Each learned figure decays back toward the declared one with a half-life, so evidence that is
 * no longer renewed stops steering: a transient (another tenant's burst) does not starve a target
 * for ever, and a persistent shortfall is re-learned by the next 429.
 */
export interface LearnedLimit {
  /** The learned figure when it was set. */
  readonly limit: number;
  /** When it was set; it decays toward the declared figure from then on. */
  readonly at: number;
}

export interface LearningOptions {
  /** Half-life of a learned figure's distance from the declared one, for a figure below it. @default 10 min */
  readonly halfLifeMs: number;
  /**
   * The same for a figure above the declared one. Longer: over-admitting fails over and the next
   * 429 bounds the figure at once, while a figure too low only comes back by decay or probes.
   * @default 60 min
   */
  readonly raisedHalfLifeMs: number;
  /** No learned figure below this share of the declared one. @default 0.1 */
  readonly floorShare: number;
  /** No learned figure above this multiple of the declared one. @default 3 */
  readonly ceilingShare: number;
  /** A successful capacity probe raises the figure by this share. @default 0.25 */
  readonly probeStep: number;
}

export const LEARNING_DEFAULTS: LearningOptions = { halfLifeMs: 10 * MS_PER_MINUTE, raisedHalfLifeMs: 60 * MS_PER_MINUTE, floorShare: 0.1, ceilingShare: 3, probeStep: 0.25 };

export function resolveLearningOptions(options: Partial<LearningOptions> = {}): LearningOptions {
  const resolved = { ...LEARNING_DEFAULTS, ...options };
  positiveOption('learning.halfLifeMs', resolved.halfLifeMs);
  positiveOption('learning.raisedHalfLifeMs', resolved.raisedHalfLifeMs);
  positiveOption('learning.floorShare', resolved.floorShare);
  positiveOption('learning.ceilingShare', resolved.ceilingShare);
  positiveOption('learning.probeStep', resolved.probeStep);
  return resolved;
}

/** Within this share of the declared figure, a learned one is the declared one again. */
const SETTLED_SHARE = 0.005;

/** The learned figure at `now`, decayed toward `declared`; `declared` with no evidence. */
export function effectiveLimit(declared: number, learned: LearnedLimit | undefined, now: number, options: LearningOptions): number {
  if (!learned) return declared;
  const age = Math.max(0, now - learned.at);
  const halfLife = learned.limit > declared ? options.raisedHalfLifeMs : options.halfLifeMs;
  return declared + (learned.limit - declared) * 0.5 ** (age / halfLife);
}

/** Whether a learned figure has decayed back to the declared one (and can be dropped). */
export function hasSettled(declared: number, learned: LearnedLimit, now: number, options: LearningOptions): boolean {
  return Math.abs(effectiveLimit(declared, learned, now, options) - declared) <= SETTLED_SHARE * declared;
}

/** A new figure, kept within [floorShare, ceilingShare] x declared (and never below one charge). */
export function clampLearned(declared: number, limit: number, charge: number, options: LearningOptions): number {
  const floor = Math.max(declared * options.floorShare, charge);
  return Math.min(declared * options.ceilingShare, Math.max(floor, limit));
}

/** The upper bound a headerless 429 puts on the provider's limit: charged in the trailing minute plus the refused charge. */
export function throttleBound(chargedTrailingMinute: number, charge: number): number {
  return Math.max(0, chargedTrailingMinute) + Math.max(0, charge);
}

/** Net charges in 5-s slots, enough to sum the trailing minute (over-counting by at most one slot: the bound stays an upper bound). */
export const SLOT_MS = 5_000;

export interface ChargeSlot {
  readonly start: number;
  readonly sum: number;
}

/** Add a net charge (negative: a refund) at `at`; slots older than the trailing minute are dropped. */
export function recordSlot(slots: readonly ChargeSlot[], amount: number, at: number): readonly ChargeSlot[] {
  const start = Math.floor(at / SLOT_MS) * SLOT_MS;
  const kept = slots.filter((s) => s.start + SLOT_MS > at - MS_PER_MINUTE);
  const last = kept[kept.length - 1];
  if (last && last.start === start) return [...kept.slice(0, -1), { start, sum: last.sum + amount }];
  if (last && last.start > start) {
    // A late settlement: into its own slot, created in order if the slot is gone (never dropped).
    if (kept.some((s) => s.start === start)) return kept.map((s) => (s.start === start ? { start, sum: s.sum + amount } : s));
    return [...kept, { start, sum: amount }].sort((a, b) => a.start - b.start);
  }
  return [...kept, { start, sum: amount }];
}

/**
 * The most the provider can still owe from charges in the trailing minute before `now`: the largest
 * newest-first running sum over slots overlapping it (whole slots). Not the net sum: a refund of a
 * reservation made before the window would lower the net below what a later tail of the window
 * still owes (reserve 100 at -1 s, refund 80 at +1 s, charge 90 at +59 s: the tail owes 90, the net 10).
 */
export function trailingMinuteSum(slots: readonly ChargeSlot[], now: number): number {
  let tail = 0;
  let most = 0;
  for (let i = slots.length - 1; i >= 0; i--) {
    const s = slots[i]!;
    if (s.start > now) continue;
    if (s.start + SLOT_MS <= now - MS_PER_MINUTE) break;
    tail += s.sum;
    most = Math.max(most, tail);
  }
  return most;
}
