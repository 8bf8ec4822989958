/**
 * Every credential the router holds or mints (API keys, Entra and Google access tokens, AWS keys and
 * session tokens), and their removal from anything an upstream says that reaches a client.
 */

/** Shorter values are not credentials, and replacing them would mangle ordinary text. */
const MIN_SECRET_LENGTH = 8;
/** Tokens rotate (Entra and Google hourly); older ones stay redacted until this many newer ones are seen. */
const LEDGER_CAPACITY = 256;

export const REDACTED = '[redacted]';

/** The credentials an adapter used. Shared by all adapters, so each redacts every other's too. */
export class SecretLedger {
  private readonly values = new Set<string>();

  remember(...values: ReadonlyArray<string | undefined>): void {
    for (const value of values) {
      if (value === undefined || value.length < MIN_SECRET_LENGTH || this.values.has(value)) continue;
      this.values.add(value);
      if (this.values.size > LEDGER_CAPACITY) this.values.delete(this.values.values().next().value!);
    }
  }

  known(): readonly string[] {
    return [...this.values];
  }
}

/** Replace every occurrence of every secret in `text`. Longest first, so a secret inside another goes with it. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= MIN_SECRET_LENGTH && out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** Every string in a JSON value, keys included, redacted. Iterative: an upstream's nesting cannot overflow the stack. */
export function redactDeep(value: unknown, secrets: readonly string[]): unknown {
  if (secrets.length === 0) return value;
  const root: { value: unknown } = { value };
  const stack: Array<[Record<string | number, unknown>, string | number]> = [[root as Record<string, unknown>, 'value']];
  while (stack.length > 0) {
    const [holder, key] = stack.pop()!;
    const v = holder[key];
    if (typeof v === 'string') {
      holder[key] = redact(v, secrets);
    } else if (Array.isArray(v)) {
      const copy = [...v];
      holder[key] = copy;
      copy.forEach((_item, index) => stack.push([copy as unknown as Record<number, unknown>, index]));
    } else if (typeof v === 'object' && v !== null) {
      const copy: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v)) copy[redact(k, secrets)] = item;
      holder[key] = copy;
      for (const k of Object.keys(copy)) stack.push([copy, k]);
    }
  }
  return root.value;
}

/**
 * An upstream's JSON text with every string redacted after parsing (an escaped secret, `\/` or `\u0041`,
 * is caught too). Text that is not JSON is redacted as text.
 */
export function redactJsonText(text: string, secrets: readonly string[]): string {
  if (secrets.length === 0) return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return redact(text, secrets);
  }
  try {
    return JSON.stringify(redactDeep(parsed, secrets));
  } catch {
    // Nested past the stack: the text form is the best left.
    return redact(text, secrets);
  }
}
