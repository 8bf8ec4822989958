/**
 * Rate-limit header parsers, one per dialect: pure `(headers, now) → Observation[]`.
 * A negative, missing or malformed value is unknown and yields no observation, never a zero.
 *
 * Anthropic: anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset},
 *   resets in RFC 3339 (https://docs.anthropic.com/en/api/rate-limits#response-headers); retry-after on 429.
 * OpenAI: x-ratelimit-{limit,remaining,reset}-{requests,tokens}, resets as Go durations ("1s", "6m0s", "12ms")
 *   (https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers); retry-after-ms / retry-after.
 * Azure OpenAI: x-ratelimit-remaining-{requests,tokens}, retry-after, retry-after-ms, x-ms-retry-after-ms
 *   (https://learn.microsoft.com/azure/ai-foundry/openai/how-to/quota); -1 seen for unknown (openai/openai-dotnet#838).
 * Bedrock, Vertex: no remaining-quota headers and no retry hint (provider-facts.md).
 */
import type { LimitKind, RouterTarget } from '@headroom/plan/runtime';
import type { Observation } from '../core/contracts';

export type HeaderDialect = RouterTarget['rateLimitHeaders'];
/** Response headers with lower-cased names. */
export type HeaderBag = Readonly<Record<string, string>>;

type Parser = (headers: HeaderBag, now: number) => Observation[];

const ANTHROPIC_FAMILIES: ReadonlyArray<readonly [string, LimitKind]> = [
  ['requests', 'rpm'], ['tokens', 'tpm'], ['input-tokens', 'itpm'], ['output-tokens', 'otpm'],
];
const OPENAI_FAMILIES: ReadonlyArray<readonly [string, LimitKind]> = [['requests', 'rpm'], ['tokens', 'tpm']];

/** A non-negative finite number, or undefined. "", "-1", "NaN", "soon-ish" are all unknown. */
export function parseCount(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

const GO_UNITS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, 'µs': 1e-3, ns: 1e-6 };

/** A Go duration (`time.Duration.String()`: "6m0s", "1.5s", "12ms") in ms, or undefined. */
export function parseGoDuration(value: string | undefined): number | undefined {
  const text = value?.trim();
  if (!text || !/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) total += Number(match[1]) * GO_UNITS[match[2]!]!;
  return Number.isFinite(total) ? total : undefined;
}

/** RFC 3339 timestamp to epoch ms; only full date-times with a zone are accepted. */
export function parseRfc3339(value: string | undefined): number | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value.trim())) return undefined;
  const ms = Date.parse(value.trim());
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The longest wait a retry header may plausibly ask for. Providers ask for seconds to a minute or two
 * (LiteLLM and Portkey cap at 60 s); a longer value is a bug or an attack and counts as absent, so one
 * header cannot park a target for a year. `routing.maxCooldownMs` caps what is left.
 */
export const MAX_PLAUSIBLE_RETRY_AFTER_MS = 3_600_000;

const plausibleWait = (ms: number | undefined) => (ms !== undefined && Number.isFinite(ms) && ms >= 0 && ms <= MAX_PLAUSIBLE_RETRY_AFTER_MS ? ms : undefined);

/** `retry-after` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in ms from `now`; a date in the past is 0. */
function retryAfterHeaderMs(value: string | undefined, now: number): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const seconds = parseCount(text);
  if (seconds !== undefined) return seconds * 1000;
  // HTTP-date (IMF-fixdate and the obsolete forms): has a weekday name and "GMT".
  if (!/^[A-Za-z]{3,9}, .+ GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/**
 * Milliseconds to wait from the retry headers, preferring the precise ones:
 * `retry-after-ms` (OpenAI, Azure), `x-ms-retry-after-ms` (Azure), then `retry-after`.
 * Undefined when none is present, valid and plausible (at most MAX_PLAUSIBLE_RETRY_AFTER_MS); an
 * implausible header is skipped and the next one read.
 */
export function retryAfterMs(headers: HeaderBag, now: number): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const ms = plausibleWait(parseCount(headers[name]));
    if (ms !== undefined) return ms;
  }
  return plausibleWait(retryAfterHeaderMs(headers['retry-after'], now));
}

function cooldown(headers: HeaderBag, now: number): Observation[] {
  const wait = retryAfterMs(headers, now);
  return wait === undefined ? [] : [{ kind: 'cooldown', until: now + wait, source: 'retry-after', observedAt: now }];
}

function remaining(bucket: LimitKind, headers: HeaderBag, names: { remaining: string; limit: string; reset: string },
  parseReset: (value: string | undefined, now: number) => number | undefined, now: number): Observation[] {
  const left = parseCount(headers[names.remaining]);
  if (left === undefined) return [];
  const limit = parseCount(headers[names.limit]);
  const resetAt = parseReset(headers[names.reset], now);
  return [{
    kind: 'remaining', bucket, remaining: left, observedAt: now,
    ...(limit !== undefined ? { limit } : {}),
    ...(resetAt !== undefined ? { resetAt } : {}),
  }];
}

const afterDuration = (value: string | undefined, now: number) => {
  const ms = parseGoDuration(value);
  return ms === undefined ? undefined : now + ms;
};

export const parseAnthropicHeaders: Parser = (headers, now) => [
  ...ANTHROPIC_FAMILIES.flatMap(([family, bucket]) => remaining(bucket, headers, {
    remaining: `anthropic-ratelimit-${family}-remaining`, limit: `anthropic-ratelimit-${family}-limit`, reset: `anthropic-ratelimit-${family}-reset`,
  }, (value) => parseRfc3339(value), now)),
  ...cooldown(headers, now),
];

const xRateLimit: Parser = (headers, now) => OPENAI_FAMILIES.flatMap(([family, bucket]) => remaining(bucket, headers, {
  remaining: `x-ratelimit-remaining-${family}`, limit: `x-ratelimit-limit-${family}`, reset: `x-ratelimit-reset-${family}`,
}, afterDuration, now));

export const parseOpenAiHeaders: Parser = (headers, now) => [...xRateLimit(headers, now), ...cooldown(headers, now)];

/** Azure sends the OpenAI names (remaining always; limit/reset on newer API versions). */
export const parseAzureOpenAiHeaders: Parser = (headers, now) => [...xRateLimit(headers, now), ...cooldown(headers, now)];

/** Bedrock and Vertex: no quota headers. A retry hint is still honoured if something in between adds one. */
export const parseNoHeaders: Parser = (headers, now) => cooldown(headers, now);

export const HEADER_PARSERS: Readonly<Record<HeaderDialect, Parser>> = {
  anthropic: parseAnthropicHeaders,
  openai: parseOpenAiHeaders,
  'azure-openai': parseAzureOpenAiHeaders,
  none: parseNoHeaders,
};

const LOGGED = /ratelimit|^retry-after|^x-ms-retry-after-ms$|^x-should-retry$|^x-amzn-bedrock-|^x-amzn-requestid$|^request-id$|^x-request-id$|^apim-request-id$/;

/** The raw rate-limit, retry and Bedrock headers, for the structured log line. Nothing else (no cookies, no auth). */
export function loggableHeaders(headers: HeaderBag): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers).sort()) if (LOGGED.test(name)) out[name] = headers[name]!;
  return out;
}

/** Lower-cased plain object from a fetch `Headers`. */
export function headerBag(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => { out[name.toLowerCase()] = value; });
  return out;
}
