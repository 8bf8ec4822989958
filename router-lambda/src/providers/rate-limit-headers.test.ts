import type { Observation } from '../core/contracts';
import {
  HEADER_PARSERS, loggableHeaders, parseAnthropicHeaders, parseAzureOpenAiHeaders, parseGoDuration, parseNoHeaders, parseOpenAiHeaders, retryAfterMs,
} from './rate-limit-headers';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('parseGoDuration (OpenAI reset headers)', () => {
  it.each([
    ['12ms', 12], ['1s', 1000], ['6m0s', 360_000], ['1m30.5s', 90_500], ['2h', 7_200_000], ['1h2m3s', 3_723_000], ['0s', 0],
  ])('%s → %d ms', (text, ms) => expect(parseGoDuration(text)).toBe(ms));

  it.each(['', '-1s', '6 m', 'soon-ish', '1x', '1', 's', '1s2'])('%p is unknown', (text) => expect(parseGoDuration(text)).toBeUndefined());
});

describe('retryAfterMs', () => {
  it.each<[Record<string, string>, number | undefined]>([
    [{ 'retry-after': '7' }, 7000],
    [{ 'retry-after': '0' }, 0],
    [{ 'retry-after-ms': '1500', 'retry-after': '2' }, 1500],
    [{ 'x-ms-retry-after-ms': '250', 'retry-after': '1' }, 250],
    [{ 'retry-after': 'Thu, 01 Jan 2026 12:00:30 GMT' }, 30_000],
    [{ 'retry-after': 'Thu, 01 Jan 2026 11:59:00 GMT' }, 0],
    [{ 'retry-after': '-5' }, undefined],
    [{ 'retry-after': 'soon-ish' }, undefined],
    [{ 'retry-after': '2026-01-01' }, undefined],
    [{ 'retry-after-ms': '-1', 'retry-after': '3' }, 3000],
    [{}, undefined],
  ])('%j → %p', (headers, expected) => expect(retryAfterMs(headers, NOW)).toBe(expected));

  // The repros: a year in seconds, and an HTTP-date in 2031 (129027832 s away at the time).
  it.each<[string, Record<string, string>, number | undefined]>([
    ['a year in seconds', { 'retry-after': '31536000' }, undefined],
    ['an HTTP-date five years ahead', { 'retry-after': 'Tue, 01 Jul 2031 00:00:00 GMT' }, undefined],
    ['NaN', { 'retry-after': 'NaN' }, undefined],
    ['Infinity ms', { 'retry-after-ms': 'Infinity' }, undefined],
    ['an absurd precise header falls back to a plausible retry-after', { 'retry-after-ms': '99999999999', 'retry-after': '4' }, 4000],
    ['an absurd Azure header falls back too', { 'x-ms-retry-after-ms': '7200000', 'retry-after': '10' }, 10_000],
    ['exactly one hour is still plausible', { 'retry-after': '3600' }, 3_600_000],
    ['one second over the hour is not', { 'retry-after': '3601' }, undefined],
    ['an HTTP-date 61 minutes ahead', { 'retry-after': 'Thu, 01 Jan 2026 13:01:00 GMT' }, undefined],
  ])('treats %s as absent when implausible', (_name, headers, expected) => expect(retryAfterMs(headers, NOW)).toBe(expected));

  it('an implausible retry-after yields no cooldown observation', () => {
    expect(parseNoHeaders({ 'retry-after': '31536000' }, NOW)).toEqual([]);
    expect(parseAnthropicHeaders({ 'retry-after': 'Tue, 01 Jul 2031 00:00:00 GMT' }, NOW)).toEqual([]);
  });
});

describe('parseAnthropicHeaders', () => {
  it('maps every family to its bucket with limit and RFC 3339 reset, plus the cooldown', () => {
    const headers = {
      'anthropic-ratelimit-requests-limit': '50', 'anthropic-ratelimit-requests-remaining': '49', 'anthropic-ratelimit-requests-reset': '2026-01-01T12:00:01Z',
      'anthropic-ratelimit-tokens-remaining': '9000', 'anthropic-ratelimit-tokens-reset': '2026-01-01T12:00:30.500Z',
      'anthropic-ratelimit-input-tokens-limit': '20000', 'anthropic-ratelimit-input-tokens-remaining': '0', 'anthropic-ratelimit-input-tokens-reset': '2026-01-01T13:00:00+01:00',
      'anthropic-ratelimit-output-tokens-limit': '4000', 'anthropic-ratelimit-output-tokens-remaining': '3500',
      'retry-after': '12',
    };
    expect(parseAnthropicHeaders(headers, NOW)).toEqual<Observation[]>([
      { kind: 'remaining', bucket: 'rpm', remaining: 49, limit: 50, resetAt: NOW + 1000, observedAt: NOW },
      { kind: 'remaining', bucket: 'tpm', remaining: 9000, resetAt: NOW + 30_500, observedAt: NOW },
      { kind: 'remaining', bucket: 'itpm', remaining: 0, limit: 20000, resetAt: NOW, observedAt: NOW },
      { kind: 'remaining', bucket: 'otpm', remaining: 3500, limit: 4000, observedAt: NOW },
      { kind: 'cooldown', until: NOW + 12_000, source: 'retry-after', observedAt: NOW },
    ]);
  });

  it.each([['-1'], [''], ['soon-ish'], ['NaN'], ['1e3'], ['Infinity']])('remaining %p is unknown, never zero', (value) => {
    expect(parseAnthropicHeaders({ 'anthropic-ratelimit-requests-remaining': value, 'anthropic-ratelimit-requests-limit': '50' }, NOW)).toEqual([]);
  });

  it('keeps a valid remaining but drops a malformed limit or reset', () => {
    expect(parseAnthropicHeaders({
      'anthropic-ratelimit-requests-remaining': '3', 'anthropic-ratelimit-requests-limit': '-1', 'anthropic-ratelimit-requests-reset': 'soon-ish',
    }, NOW)).toEqual([{ kind: 'remaining', bucket: 'rpm', remaining: 3, observedAt: NOW }]);
  });
});

describe('parseOpenAiHeaders', () => {
  it('reads x-ratelimit-* with Go-duration resets and retry-after-ms', () => {
    expect(parseOpenAiHeaders({
      'x-ratelimit-limit-requests': '1000', 'x-ratelimit-remaining-requests': '999', 'x-ratelimit-reset-requests': '60ms',
      'x-ratelimit-limit-tokens': '60000', 'x-ratelimit-remaining-tokens': '59000', 'x-ratelimit-reset-tokens': '6m0s',
      'retry-after-ms': '20',
    }, NOW)).toEqual<Observation[]>([
      { kind: 'remaining', bucket: 'rpm', remaining: 999, limit: 1000, resetAt: NOW + 60, observedAt: NOW },
      { kind: 'remaining', bucket: 'tpm', remaining: 59000, limit: 60000, resetAt: NOW + 360_000, observedAt: NOW },
      { kind: 'cooldown', until: NOW + 20, source: 'retry-after', observedAt: NOW },
    ]);
  });

  it('ignores malformed values everywhere (the emulator malformed-headers fault)', () => {
    expect(parseOpenAiHeaders({
      'x-ratelimit-remaining-requests': 'soon-ish', 'x-ratelimit-remaining-tokens': 'soon-ish', 'retry-after': 'soon-ish', 'retry-after-ms': 'soon-ish',
    }, NOW)).toEqual([]);
  });
});

describe('parseAzureOpenAiHeaders', () => {
  it('reads remaining requests/tokens and prefers the millisecond retry headers', () => {
    expect(parseAzureOpenAiHeaders({
      'x-ratelimit-remaining-requests': '59', 'x-ratelimit-remaining-tokens': '5000', 'retry-after': '2', 'x-ms-retry-after-ms': '1200',
    }, NOW)).toEqual<Observation[]>([
      { kind: 'remaining', bucket: 'rpm', remaining: 59, observedAt: NOW },
      { kind: 'remaining', bucket: 'tpm', remaining: 5000, observedAt: NOW },
      { kind: 'cooldown', until: NOW + 1200, source: 'retry-after', observedAt: NOW },
    ]);
  });

  it('treats -1 (seen from the Responses API) as unknown', () => {
    expect(parseAzureOpenAiHeaders({ 'x-ratelimit-remaining-tokens': '-1', 'x-ratelimit-remaining-requests': '4' }, NOW))
      .toEqual([{ kind: 'remaining', bucket: 'rpm', remaining: 4, observedAt: NOW }]);
  });
});

describe('parseNoHeaders (Bedrock, Vertex)', () => {
  it('finds no quota evidence in Bedrock metrics headers', () => {
    expect(parseNoHeaders({ 'x-amzn-bedrock-input-token-count': '12', 'x-amzn-bedrock-output-token-count': '30', 'x-amzn-errortype': 'ThrottlingException' }, NOW)).toEqual([]);
  });

  it('has a parser for every dialect', () => {
    expect(Object.keys(HEADER_PARSERS).sort()).toEqual(['anthropic', 'azure-openai', 'none', 'openai']);
  });
});

describe('loggableHeaders', () => {
  it('keeps rate-limit, retry, request-id and x-amzn-bedrock-* headers only', () => {
    expect(loggableHeaders({
      'anthropic-ratelimit-requests-remaining': '1', 'retry-after': '3', 'x-amzn-bedrock-input-token-count': '5', 'x-amzn-requestid': 'r1',
      'set-cookie': 'session=secret', authorization: 'Bearer secret', 'content-type': 'application/json',
    })).toEqual({ 'anthropic-ratelimit-requests-remaining': '1', 'retry-after': '3', 'x-amzn-bedrock-input-token-count': '5', 'x-amzn-requestid': 'r1' });
  });
});
