import type { PacingReport } from './pacing';
import { renderFrame, renderSummary, VIEW_WIDTH, type TargetRow } from './view';

const row = (id: string, overrides: Partial<TargetRow> = {}): TargetRow => ({
  id, region: 'australiaeast-long-region', headroomPct: 42,
  limits: [{ kind: 'rpm', usedPerMinute: 12_345, declaredPerMinute: 20_000 }, { kind: 'itpm', usedPerMinute: 1_999_999, declaredPerMinute: 2_000_000 }, { kind: 'otpm', usedPerMinute: 399_999, declaredPerMinute: 400_000 }],
  upstream429s: 123_456, served: 9_876_543, breaker: 'closed', coolingDown: false, ...overrides,
});

const pacing: PacingReport = { clock: 'real', startTimeScale: 60, offeredMinutes: 40, lateSends: 0, maxLateMs: 800, excludedMs: 0, excludedShare: 0, slowdowns: [], reliable: true };
const family = { id: 'chatbot', minutes: 40, servedTokensPerMinute: 42_000, quotaTokensPerMinute: 83_000, bestSingleQuota: 30_000, sumOfQuotas: 90_000, sent: 1_000, client429s: 0 };

describe('the live view', () => {
  it('fits 120 columns even with long keys, large numbers and every breaker state', () => {
    const text = renderFrame({
      offeredMinutes: 12.3, totalMinutes: 40, clock: '60x', draining: false,
      families: [{ id: 'a-family-with-a-rather-long-name', sent: 1e7, ok: 1e7, client429s: 1e6, retries: 1e6, targets: [
        row('a-target-key-much-longer-than-twenty-characters'),
        row('open', { breaker: 'half-open' }),
        row('cool', { coolingDown: true }),
      ] }],
    });
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(VIEW_WIDTH);
    expect(text).toContain('half-open');
    expect(text).toContain('cooling down');
    expect(text).toContain('12.3k/20.0k');
    expect(text).toContain('ITPM 2.00M/2.00M OTPM 400k/400k');
    expect(text).toMatch(/123k +9\.88M/);
  });

  it('never shows an emulated minute past the end', () => {
    const text = renderFrame({ offeredMinutes: 63.9, totalMinutes: 40, clock: '60x', draining: false, families: [] });
    expect(text).toContain('emulated minute 40.0 of 40');
  });
});

describe('the summary', () => {
  it('says when the host kept up', () => {
    expect(renderSummary({ families: [family], pacing, interrupted: false, quotaNotes: [] })).toContain('the host kept up with the 60x clock');
  });

  it('marks the numbers unreliable when lag took too much of the run, and says what to do', () => {
    const text = renderSummary({
      families: [family], interrupted: false, quotaNotes: [],
      pacing: { ...pacing, lateSends: 40, maxLateMs: 30_000, excludedMs: 240_000, excludedShare: 0.1, reliable: false, slowdowns: [{ atOfferedMs: 120_000, from: 60, to: 30 }] },
    });
    expect(text).toContain('UNRELIABLE');
    expect(text).toContain('60x to 30x at minute 2.0');
    expect(text).toContain('--virtual-time');
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(VIEW_WIDTH);
  });
});
