import { UserError } from '../errors';

export function parseFormat<T extends string>(value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UserError(`unknown --format '${value}'`, `use one of: ${allowed.join(', ')}`);
}

/** A numeric option, or a message naming the flag, the value and what is allowed. */
export function parseNumberOption(value: string, flag: string, check: (n: number) => boolean, allowed: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UserError(`${flag} ${JSON.stringify(value)} is not valid`, `use ${allowed}`);
  return n;
}
