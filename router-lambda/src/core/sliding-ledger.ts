import { positiveOption } from './errors';

/**
 * A sliding-window sum kept in fixed-size slots (never the wall-clock minute: slots are short and
 * the window slides with `now`). A slot counts while any moment inside it could still be within
 * the trailing window, i.e. while `now < start + slotMs + windowMs`: conservative by at most one
 * slot, so the true trailing sum is never under-counted. Plain data, serialisable.
 */
export interface LedgerSlot {
  readonly start: number;
  readonly amount: number;
}

export interface LedgerState {
  readonly windowMs: number;
  readonly slotMs: number;
  /** Oldest first; no empty slots. */
  readonly slots: readonly LedgerSlot[];
}

export function emptyLedger(windowMs: number, slotMs: number): LedgerState {
  return { windowMs: positiveOption('windowMs', windowMs), slotMs: positiveOption('slotMs', slotMs), slots: [] };
}

function slotStart(ledger: LedgerState, at: number): number {
  return Math.floor(at / ledger.slotMs) * ledger.slotMs;
}

/** The moment a slot stops counting. */
export function slotExpiry(ledger: LedgerState, slot: LedgerSlot): number {
  return slot.start + ledger.slotMs + ledger.windowMs;
}

/** Drop slots that no longer count at `now`. */
export function pruneLedger(ledger: LedgerState, now: number): LedgerState {
  const slots = ledger.slots.filter((slot) => slotExpiry(ledger, slot) > now);
  return slots.length === ledger.slots.length ? ledger : { ...ledger, slots };
}

/** The trailing-window sum at `now`. */
export function ledgerTotal(ledger: LedgerState, now: number): number {
  let total = 0;
  for (const slot of ledger.slots) if (slotExpiry(ledger, slot) > now) total += slot.amount;
  return total;
}

/**
 * Book `amount` in the slot holding `at`. A negative amount returns part of an earlier booking in
 * that slot (a refund): it never takes a slot below zero, and a refund for a slot already gone
 * changes nothing (that charge has left the window anyway).
 */
export function ledgerAdd(ledger: LedgerState, amount: number, at: number): LedgerState {
  if (amount === 0 || !Number.isFinite(amount)) return ledger;
  const start = slotStart(ledger, at);
  const index = ledger.slots.findIndex((slot) => slot.start === start);
  if (index < 0) {
    if (amount < 0) return ledger;
    const slots = [...ledger.slots, { start, amount }].sort((a, b) => a.start - b.start);
    return { ...ledger, slots };
  }
  const updated = Math.max(0, ledger.slots[index]!.amount + amount);
  const slots = ledger.slots.flatMap((slot, i) => (i !== index ? [slot] : updated > 0 ? [{ start, amount: updated }] : []));
  return { ...ledger, slots };
}

/** Milliseconds from `now` until the trailing sum is at most `ceiling`; Infinity when it never can be (ceiling < 0). */
export function ledgerMsUntilAtMost(ledger: LedgerState, ceiling: number, now: number, epsilon = 1e-9): number {
  if (ceiling < -epsilon) return Number.POSITIVE_INFINITY;
  const live = ledger.slots.filter((slot) => slotExpiry(ledger, slot) > now);
  let total = live.reduce((sum, slot) => sum + slot.amount, 0);
  if (total <= ceiling + epsilon) return 0;
  for (const slot of live) {
    total -= slot.amount;
    if (total <= ceiling + epsilon) return slotExpiry(ledger, slot) - now;
  }
  return Number.POSITIVE_INFINITY; // unreachable: an empty ledger is at most any ceiling >= 0
}
