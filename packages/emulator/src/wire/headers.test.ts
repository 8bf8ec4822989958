import { goDuration, retryAfterSeconds, rfc3339 } from './headers';

describe('rate-limit header formats', () => {
  it('formats OpenAI reset durations like the API', () => {
    expect(goDuration(12)).toBe('12ms');
    expect(goDuration(1000)).toBe('1s');
    expect(goDuration(360_000)).toBe('6m0s');
    expect(goDuration(90_500)).toBe('1m30.5s');
  });

  it('formats Anthropic resets as RFC 3339 at whole seconds, rounding up', () => {
    expect(rfc3339(Date.UTC(2026, 0, 1, 0, 0, 1, 200))).toBe('2026-01-01T00:00:02Z');
  });

  it('never advises retrying in 0 seconds', () => {
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
    expect(retryAfterSeconds(Infinity)).toBe(60);
  });
});
