import { UserError } from '../errors';

export function parseFormat<T extends string>(value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UserError(`unknown --format '${value}'`, `use one of: ${allowed.join(', ')}`);
}
