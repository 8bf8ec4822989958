/** Formatting shared by the providers' rate-limit headers. */
import type { Reply } from './types';

/** Whole seconds for `retry-after`, at least 1 (a 0 would invite an immediate retry that fails). */
export function retryAfterSeconds(ms: number): number {
  if (!Number.isFinite(ms)) return 60;
  return Math.max(1, Math.ceil(ms / 1000));
}

/** RFC 3339 at whole seconds, as Anthropic's `anthropic-ratelimit-*-reset` headers are. */
export function rfc3339(epochMs: number): string {
  return new Date(Math.ceil(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * OpenAI's reset durations: Go-style `12ms`, `1s`, `6m0s`, `1m30.5s`.
 * https://platform.openai.com/docs/guides/rate-limits (x-ratelimit-reset-requests: "1s", x-ratelimit-reset-tokens: "6m0s")
 */
export function goDuration(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole < 1000) return `${whole}ms`;
  const minutes = Math.floor(whole / 60_000);
  const seconds = (whole % 60_000) / 1000;
  const secondsText = `${Number(seconds.toFixed(3))}s`;
  return minutes > 0 ? `${minutes}m${secondsText}` : secondsText;
}

/** What the malformed-headers fault puts in every rate-limit and retry header: unparseable as a number, a duration or a date. */
export const MALFORMED_HEADER_VALUE = 'soon-ish';

/** Rate-limit and retry headers get garbage values under the malformed-headers fault. */
export function isRateHeader(name: string): boolean {
  return /ratelimit|retry-after/i.test(name);
}

export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** One Server-Sent Event. https://html.spec.whatwg.org/multipage/server-sent-events.html */
export function sseEvent(data: string, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${data}\n\n`;
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
