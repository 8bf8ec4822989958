import { draw, type Rng } from './rng';

/** The shortest wait the router tells a client: `retry-after` counts whole seconds, and 0 invites a hot loop. */
export const MIN_CLIENT_WAIT_MS = 1_000;

/** What a refused client is told: `retry-after-ms` (both official SDKs read it first) and `retry-after` in whole seconds. */
export interface ClientRetryAfter {
  readonly ms: number;
  readonly seconds: number;
}

/** Jitter spans at least this much, so that whole-second `retry-after` values differ too. */
const MIN_SPREAD_MS = 2_000;

/**
 * The wait a router-made 429 or 503/529 announces. Never earlier than `waitMs` (when capacity frees:
 * truthful), then spread by up to half of it, at least two seconds, so clients refused together do
 * not all come back in the same instant; never beyond `maxMs` (`routing.maxCooldownMs`). Randomness
 * is the injected generator's, so a seeded run says the same thing every time.
 */
export function clientRetryAfter(waitMs: number, rng: Rng, maxMs: number): ClientRetryAfter {
  const cap = Math.max(MIN_CLIENT_WAIT_MS, maxMs);
  const base = Math.min(cap, Math.max(MIN_CLIENT_WAIT_MS, Number.isFinite(waitMs) ? waitMs : cap));
  const spread = Math.max(MIN_SPREAD_MS, base / 2);
  const ms = Math.min(cap, Math.ceil(base + draw(rng) * spread));
  return { ms, seconds: Math.ceil(ms / 1_000) };
}
