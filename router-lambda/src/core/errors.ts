import type { LimitKind } from '@headroom/plan/runtime';

/** Base class: every core error carries structured data beside its message. */
export abstract class RouterCoreError extends Error {
  abstract readonly data: Readonly<Record<string, unknown>>;
}

/** A target enforces a limit the config does not size. A missing limit is never "unlimited". */
export class MissingLimitError extends RouterCoreError {
  override readonly name = 'MissingLimitError';
  constructor(readonly data: { readonly target: string; readonly kind: LimitKind; readonly received: unknown }) {
    super(
      `target ${data.target} enforces ${data.kind} but its limit is ${JSON.stringify(data.received) ?? 'undefined'}; ` +
        'declare a finite per-minute limit > 0 (a missing limit is never treated as unlimited)',
    );
  }
}

export class UnknownFamilyError extends RouterCoreError {
  override readonly name = 'UnknownFamilyError';
  constructor(readonly data: { readonly family: string; readonly known: readonly string[] }) {
    super(`unknown family ${JSON.stringify(data.family)}; known families: ${data.known.join(', ') || '(none)'}`);
  }
}

export class UnknownTargetError extends RouterCoreError {
  override readonly name = 'UnknownTargetError';
  constructor(readonly data: { readonly target: string; readonly where: string }) {
    super(`unknown target ${JSON.stringify(data.target)} in ${data.where}`);
  }
}

/** A ticket completed twice, or one this router never issued: a pipeline bug, never ignored. */
export class TicketError extends RouterCoreError {
  override readonly name = 'TicketError';
  constructor(readonly data: { readonly ticket: string; readonly target: string; readonly problem: 'unknown-or-completed' }) {
    super(`ticket ${data.ticket} for ${data.target} is unknown to this router or was already completed`);
  }
}

/** A token estimate the limiter cannot account for (negative, fractional NaN, infinite). */
export class InvalidEstimateError extends RouterCoreError {
  override readonly name = 'InvalidEstimateError';
  constructor(readonly data: { readonly field: string; readonly received: unknown }) {
    super(`request estimate ${data.field} must be a finite number >= 0; received ${String(data.received)}`);
  }
}

/** An option outside its allowed range, named with the value received and what is allowed. */
export class InvalidOptionError extends RouterCoreError {
  override readonly name = 'InvalidOptionError';
  constructor(readonly data: { readonly option: string; readonly received: unknown; readonly allowed: string }) {
    super(`option ${data.option} = ${String(data.received)} is invalid; allowed: ${data.allowed}`);
  }
}

/** Validates a positive finite number option. */
export function positiveOption(option: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new InvalidOptionError({ option, received: value, allowed: 'a finite number > 0' });
  return value;
}
