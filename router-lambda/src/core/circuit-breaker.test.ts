import { breakerAdmits, breakerAvailableAt, breakerOnOutcome, breakerOnPlaced, breakerVerdict, breakerView, closedBreaker, resolveBreakerOptions, type BreakerState } from './circuit-breaker';
import { InvalidOptionError } from './errors';

const options = resolveBreakerOptions({ consecutiveFailures: 3, minThroughput: 10, failureRatio: 0.5, halfOpenAfterMs: 1_000, maxHalfOpenAfterMs: 4_000, probeTimeoutMs: 10_000 });

function feed(state: BreakerState, verdicts: readonly ('success' | 'failure')[], now = 0): BreakerState {
  return verdicts.reduce((s, v) => breakerOnOutcome(s, options, v, false, now, now), state);
}

describe('circuit breaker', () => {
  it('opens after N consecutive failures; a success in between resets the run', () => {
    let s = feed(closedBreaker(options), ['failure', 'failure', 'success', 'failure', 'failure']);
    expect(s.kind).toBe('closed');
    s = feed(s, ['failure']);
    expect(s).toEqual({ kind: 'open', openedAt: 0, halfOpenAt: 1_000, reopenings: 0 });
    expect(breakerAdmits(s, options, 999)).toBe('no');
    expect(breakerAvailableAt(s, options, 0)).toBe(1_000);
  });

  it('opens on the failure ratio once the window has enough calls', () => {
    const pattern = Array.from({ length: 10 }, (_, i): 'failure' | 'success' => (i % 2 === 0 ? 'failure' : 'success'));
    expect(feed(closedBreaker(options), pattern.slice(0, 9)).kind).toBe('closed');
    expect(feed(closedBreaker(options), [...pattern.slice(0, 9), 'failure']).kind).toBe('open');
  });

  it('half-opens after the backoff, admits limited probes, and a success closes', () => {
    let s = feed(closedBreaker(options), ['failure', 'failure', 'failure']);
    expect(breakerAdmits(s, options, 1_000)).toBe('probe');
    s = breakerOnPlaced(s, options, 1_000);
    expect(s.kind).toBe('half-open');
    expect(breakerAdmits(s, options, 1_001)).toBe('no');
    expect(breakerAvailableAt(s, options, 1_001)).toBe(11_000); // the probe resolves by its timeout
    expect(breakerAdmits(s, options, 11_000)).toBe('probe'); // a lost probe is forgotten
    s = breakerOnOutcome(s, options, 'success', true, 1_000, 1_500);
    expect(s.kind).toBe('closed');
  });

  it('a failed probe reopens with a doubled backoff, capped', () => {
    let s: BreakerState = feed(closedBreaker(options), ['failure', 'failure', 'failure']);
    const halfOpenAts: number[] = [];
    let now = 0;
    for (let i = 0; i < 4; i++) {
      now = (s as { halfOpenAt: number }).halfOpenAt;
      s = breakerOnOutcome(breakerOnPlaced(s, options, now), options, 'failure', true, now, now);
      halfOpenAts.push((s as { halfOpenAt: number }).halfOpenAt - now);
    }
    expect(halfOpenAts).toEqual([2_000, 4_000, 4_000, 4_000]);
  });

  it('a neutral probe (429) frees its slot; stale ordinary outcomes change nothing', () => {
    let s = breakerOnPlaced(feed(closedBreaker(options), ['failure', 'failure', 'failure']), options, 1_000);
    s = breakerOnOutcome(s, options, 'neutral', true, 1_000, 1_100);
    expect(breakerView(s, options, 1_100)).toEqual({ kind: 'half-open', probesInFlight: 0, reopenings: 0 });
    expect(breakerOnOutcome(s, options, 'failure', false, 0, 1_200)).toBe(s);
  });

  it('reads outcomes: quota is neutral, client errors are healthy', () => {
    expect(breakerVerdict({ kind: 'throttled', observations: [] })).toBe('neutral');
    expect(breakerVerdict({ kind: 'client-error', status: 400 })).toBe('success');
    expect(breakerVerdict({ kind: 'overloaded', status: 529 })).toBe('failure');
    expect(breakerVerdict({ kind: 'connection-error', message: 'reset' })).toBe('failure');
  });

  it('state survives JSON and invalid options are refused with the value', () => {
    const s = feed(closedBreaker(options), ['failure']);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    expect(() => resolveBreakerOptions({ probes: 0 })).toThrow(InvalidOptionError);
    expect(() => resolveBreakerOptions({ failureRatio: 2 })).toThrow('failureRatio = 2');
  });
});
