import { drive, planRequests, summarise, type LoadShape, type PlannedRequest, type Shot } from './real-load';
import { meanRows, roundOrder, withAdded, type RealRound, type RealSystemRow } from './real-process';

const SHAPE: LoadShape = { pooledTpm: 90_000, loadShare: 1.07, warmupMin: 2, measuredMin: 2.5, maxTokens: 2_500, promptChars: 8_000, seed: 7 };

/** Charge offered in [fromMin, toMin) of emulated time, per minute. */
function chargePerMinute(shape: LoadShape, fromMin: number, toMin: number): number {
  const within = planRequests(shape).filter((r) => r.atMs >= fromMin * 60_000 && r.atMs < toMin * 60_000);
  return within.reduce((sum, r) => sum + r.charge, 0) / (toMin - fromMin);
}

describe('the real-process load', () => {
  it('offers 107% of the pooled 90k TPM while measured, and 1.5 minutes of quota more over the warm-up (the full buckets and a margin), as Azure charges', () => {
    // Azure counts prompt + max_tokens at admission; the prompt as the emulator counts it (~4 characters a token).
    const requests = planRequests(SHAPE);
    for (const r of requests) {
      const prompt = (JSON.parse(r.body) as { messages: { content: string }[] }).messages[0]!.content;
      expect(r.charge).toBe(Math.max(1, Math.ceil(prompt.length / 4)) + 2_500);
    }
    // Exact up to one call (~4.5k tokens) at each edge of the window.
    expect(Math.abs(chargePerMinute(SHAPE, 2, 4.5) - 1.07 * 90_000)).toBeLessThan(2 * 20_000 / 2.5);
    expect(Math.abs(chargePerMinute(SHAPE, 0, 2) - (1.07 + 0.75) * 90_000)).toBeLessThan(2 * 20_000 / 2);
    // Over the warm-up, the rate plus 135k beyond it: 90k (the three buckets' full minute) and half of that again.
    const warmup = requests.filter((r) => !r.measured).reduce((sum, r) => sum + r.charge, 0);
    expect(Math.abs(warmup - (2 * 1.07 * 90_000 + 135_000))).toBeLessThan(20_000);
  });

  it('counts only calls due after the warm-up, in time order, and the same sequence for the same seed', () => {
    const requests = planRequests(SHAPE);
    expect(requests.every((r, i) => i === 0 || r.atMs >= requests[i - 1]!.atMs)).toBe(true);
    expect(requests.filter((r) => r.measured).every((r) => r.atMs >= 2 * 60_000)).toBe(true);
    expect(requests.filter((r) => !r.measured).every((r) => r.atMs < 2 * 60_000)).toBe(true);
    expect(requests.at(-1)!.atMs).toBeLessThan(4.5 * 60_000);
    expect(planRequests(SHAPE)).toEqual(requests);
    expect(planRequests({ ...SHAPE, seed: 8 })).not.toEqual(requests);
  });

  it('summarises the measured calls only: goodput per emulated minute from the upstream usage, 429s apart from other errors', () => {
    const shot = (status: number, ms: number, tokens: number, measured = true): Shot => ({ status, ms, tokens, completionTokens: tokens > 0 ? 30 : 0, lateMs: 0, measured });
    const shots = [shot(200, 999, 99_999, false), shot(200, 10, 3_000), shot(200, 20, 2_000), shot(429, 1, 0), shot(500, 5, 0), shot(0, 30_000, 0)];
    const m = summarise(shots, 2.5, 20);
    expect(m).toMatchObject({ offered: 5, ok: 2, client429: 1, otherErrors: 2, goodputTpm: 5_000 / 2.5, latencyP50Ms: 10, latencyP99Ms: 20 });
    // The emulator's service time: 20 emulated ms to the first token + 1 ms a token, on a 20x clock.
    expect(m.serviceP50Ms).toBeCloseTo((20 + 30) / 20);
  });
});

describe('drive', () => {
  it('sends every call in order, marks the first measured one for the upstream snapshot, and reads usage from 200s only', async () => {
    const requests: PlannedRequest[] = [0, 1, 2, 3, 4].map((i) => ({ atMs: i * 1_000, body: String(i), charge: 1, measured: i >= 2 }));
    const events: string[] = [];
    const usage = { usage: { total_tokens: 120, completion_tokens: 20 } };
    const shots = await drive(async (i, body) => {
      events.push(`send ${i}:${body}`);
      return i === 3 ? new Response('{"error":{}}', { status: 429 }) : Response.json(usage);
    }, requests, 1_000_000, { onMeasuredStart: () => events.push('measured') });
    expect(events).toEqual(['send 0:0', 'send 1:1', 'measured', 'send 2:2', 'send 3:3', 'send 4:4']);
    expect(shots.map((s) => [s.status, s.tokens, s.completionTokens, s.measured])).toEqual([
      [200, 120, 20, false], [200, 120, 20, false], [200, 120, 20, true], [429, 0, 0, true], [200, 120, 20, true],
    ]);
  });
});

describe('rounds', () => {
  const row = (id: RealSystemRow['id'], p50: number, p99: number, goodput: number): Omit<RealSystemRow, 'addedP50Ms' | 'addedP99Ms'> => ({
    id, system: id, offered: 100, ok: 90, client429: 10, otherErrors: 0, goodputTpm: goodput, latencyP50Ms: p50, latencyP99Ms: p99,
    serviceP50Ms: 1, sendLateP99Ms: 0, upstreamCalls: 100, upstream429: 0,
  });

  it('alternate the order of systems, so none always runs first', () => {
    expect(roundOrder(['direct', 'headroom-fleet', 'portkey-fallback'], 0)).toEqual(['direct', 'headroom-fleet', 'portkey-fallback']);
    expect(roundOrder(['direct', 'headroom-fleet', 'portkey-fallback'], 1)).toEqual(['portkey-fallback', 'headroom-fleet', 'direct']);
  });

  it('added latency is against the direct calls of the same round, and the mean row averages the rounds', () => {
    const first = withAdded([row('direct', 5, 20, 40_000), row('headroom-fleet', 8, 30, 50_000)]);
    const second = withAdded([row('headroom-fleet', 12, 50, 46_000), row('direct', 6, 25, 41_000)]);
    expect(first.find((r) => r.id === 'headroom-fleet')).toMatchObject({ addedP50Ms: 3, addedP99Ms: 10 });
    expect(second.find((r) => r.id === 'headroom-fleet')).toMatchObject({ addedP50Ms: 6, addedP99Ms: 25 });
    const rounds: RealRound[] = [{ round: 1, order: ['direct', 'headroom-fleet'], rows: first }, { round: 2, order: ['headroom-fleet', 'direct'], rows: second }];
    const mean = meanRows(rounds);
    expect(mean.map((r) => r.id)).toEqual(['direct', 'headroom-fleet']);
    expect(mean[1]).toMatchObject({ addedP50Ms: 4.5, addedP99Ms: 17.5, goodputTpm: 48_000, latencyP50Ms: 10 });
  });
});
