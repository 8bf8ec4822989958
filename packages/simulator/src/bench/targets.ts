/**
 * The issue's targets (issue 13, "Targets"), evaluated from BENCHMARKS.json alone. Pure: the same
 * JSON gives the same verdicts, so `render.js` can re-render them without running anything. A target
 * with nothing measured is reported as missed with the reason "not measured", never as met.
 */
import type { CurveRow } from './curves';
import type { BenchRow } from './summary';
import { HEADROOM_ID } from './summary';

/** What targets.ts reads of a real-process row (bench/real-process.ts RealRow). */
export interface RealRowLike {
  /** real-process.ts RealSystemId: 'headroom-fleet', 'portkey-fallback', ... */
  readonly id?: string;
  readonly system: string;
  readonly offered: number;
  readonly client429: number;
  readonly goodputTpm: number;
  readonly addedP50Ms: number;
}

export interface TargetInput {
  readonly rows: readonly BenchRow[];
  readonly curves: readonly CurveRow[];
  readonly real: { readonly rows: readonly RealRowLike[] } | null;
  readonly peers: readonly string[];
}

export interface TargetResult {
  readonly id: string;
  readonly title: string;
  readonly met: boolean;
  /** The numbers the verdict rests on. */
  readonly measured: unknown;
  readonly reason: string;
}

/** The issue's thresholds. */
export const THRESHOLDS = {
  mismatchEfficiency: 0.97,
  significance: 0.05,
  aheadShare: 2 / 3,
  upstream429PerCall: 0.02,
  largestOverOverall: 2,
  realGoodputOverPortkey: 1.1,
  realAddedP50Ms: 2,
  /** "Mismatch scenarios, mean over >= 8 seeds". */
  minSeeds: 8,
} as const;

/** The scenario whose large requests the issue names. */
export const LONG_PROMPTS_SCENARIO = 'long-prompts-2pct';

const f3 = (x: number) => x.toFixed(3);
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

interface Versus {
  readonly scenario: string;
  readonly headroom: BenchRow;
  readonly bestPeer: BenchRow | undefined;
}

function versusByScenario(rows: readonly BenchRow[], group: BenchRow['group'], peers: ReadonlySet<string>): Versus[] {
  const out: Versus[] = [];
  for (const headroom of rows.filter((r) => r.group === group && r.strategy === HEADROOM_ID)) {
    const peerRows = rows.filter((r) => r.scenario === headroom.scenario && peers.has(r.strategy));
    const bestPeer = peerRows.reduce<BenchRow | undefined>((a, b) => (!a || b.multiplierMean > a.multiplierMean ? b : a), undefined);
    out.push({ scenario: headroom.scenario, headroom, bestPeer });
  }
  return out;
}

function notMeasured(id: string, title: string, what: string): TargetResult {
  return { id, title, met: false, measured: null, reason: `not measured: ${what}` };
}

function matchedTarget(rows: readonly BenchRow[], peers: ReadonlySet<string>): TargetResult {
  const id = 'matched-at-or-above-every-peer';
  const title = 'Matched scenarios: Headroom\'s mean at or above every peer\'s, in every scenario';
  const versus = versusByScenario(rows, 'matched', peers).filter((v) => v.bestPeer);
  if (versus.length === 0) return notMeasured(id, title, 'no matched scenario with Headroom and a peer');
  const measured = versus.map((v) => ({ scenario: v.scenario, headroom: v.headroom.multiplierMean, bestPeer: v.bestPeer!.strategy, bestPeerMean: v.bestPeer!.multiplierMean }));
  const behind = measured.filter((m) => m.headroom < m.bestPeerMean);
  return {
    id, title, met: behind.length === 0, measured,
    reason: behind.length === 0
      ? `at or above the best peer in all ${measured.length} matched scenarios`
      : `below the best peer in ${behind.length} of ${measured.length}: ${behind.map((m) => `${m.scenario} ${f3(m.headroom)}x < ${m.bestPeer} ${f3(m.bestPeerMean)}x`).join('; ')}`,
  };
}

function mismatchTargets(rows: readonly BenchRow[], peers: ReadonlySet<string>): TargetResult[] {
  const versus = versusByScenario(rows, 'mismatch', peers);
  const titles = {
    efficiency: `Mismatch scenarios: efficiency >= ${THRESHOLDS.mismatchEfficiency} of the truth-knowing oracle in every scenario`,
    ahead: `Mismatch scenarios: ahead of the best peer with p < ${THRESHOLDS.significance} in at least two thirds of them`,
    upstream: `Mismatch scenarios: upstream 429s <= ${pct(THRESHOLDS.upstream429PerCall)} of calls at the sustainable load`,
  };
  if (versus.length === 0) {
    return [notMeasured('mismatch-efficiency', titles.efficiency, 'no mismatch scenario with Headroom'), notMeasured('mismatch-ahead-of-best-peer', titles.ahead, 'no mismatch scenario with Headroom'), notMeasured('mismatch-upstream-429', titles.upstream, 'no mismatch scenario with Headroom')];
  }
  const efficiency = versus.map((v) => ({ scenario: v.scenario, efficiency: v.headroom.efficiencyMean }));
  const low = efficiency.filter((e) => e.efficiency === null || e.efficiency < THRESHOLDS.mismatchEfficiency);
  const ahead = versus.map((v) => ({
    scenario: v.scenario, headroom: v.headroom.multiplierMean, bestPeer: v.bestPeer?.strategy ?? null, bestPeerMean: v.bestPeer?.multiplierMean ?? null, p: v.headroom.pVsBestPeer,
    significantlyAhead: v.bestPeer !== undefined && v.headroom.multiplierMean > v.bestPeer.multiplierMean && v.headroom.pVsBestPeer !== null && v.headroom.pVsBestPeer < THRESHOLDS.significance,
  }));
  const wins = ahead.filter((a) => a.significantlyAhead).length;
  const upstream = versus.map((v) => ({ scenario: v.scenario, upstream429Rate: v.headroom.upstream429Rate }));
  const over = upstream.filter((u) => u.upstream429Rate > THRESHOLDS.upstream429PerCall);
  const results: TargetResult[] = [
    {
      id: 'mismatch-efficiency', title: titles.efficiency, met: low.length === 0, measured: efficiency,
      reason: low.length === 0
        ? `efficiency >= ${THRESHOLDS.mismatchEfficiency} in all ${efficiency.length} (lowest ${f3(Math.min(...efficiency.map((e) => e.efficiency!)))})`
        : `below ${THRESHOLDS.mismatchEfficiency} in ${low.length} of ${efficiency.length}: ${low.map((e) => `${e.scenario} ${e.efficiency === null ? 'no oracle' : f3(e.efficiency)}`).join('; ')}`,
    },
    {
      id: 'mismatch-ahead-of-best-peer', title: titles.ahead, met: wins * 3 >= 2 * ahead.length, measured: ahead,
      reason: `significantly ahead in ${wins} of ${ahead.length} (needs ${Math.ceil((2 * ahead.length) / 3)})` +
        (wins < ahead.length ? `; not in: ${ahead.filter((a) => !a.significantlyAhead).map((a) => `${a.scenario} (${a.bestPeerMean === null ? 'no peer' : `${f3(a.headroom)}x vs ${f3(a.bestPeerMean)}x, p ${a.p === null ? 'n/a' : a.p.toFixed(3)}`})`).join('; ')}` : ''),
    },
    {
      id: 'mismatch-upstream-429', title: titles.upstream, met: over.length === 0, measured: upstream,
      reason: over.length === 0
        ? `at most ${pct(Math.max(...upstream.map((u) => u.upstream429Rate)))} in all ${upstream.length}`
        : `above ${pct(THRESHOLDS.upstream429PerCall)} in ${over.length} of ${upstream.length}: ${over.map((u) => `${u.scenario} ${pct(u.upstream429Rate)}`).join('; ')}`,
    },
  ];
  // The issue judges these on means over >= 8 seeds: fewer cannot meet them, whatever the numbers say.
  const fewest = Math.min(...versus.map((v) => v.headroom.seeds));
  if (fewest >= THRESHOLDS.minSeeds) return results;
  return results.map((r) => ({ ...r, met: false, reason: `only ${fewest} seed(s), the issue asks for >= ${THRESHOLDS.minSeeds}; at these: ${r.reason}` }));
}

function largeRequestsTarget(rows: readonly BenchRow[], curves: readonly CurveRow[]): TargetResult {
  const id = 'large-requests';
  const title = `Large requests (${LONG_PROMPTS_SCENARIO}): failure rate of the largest 5% <= ${THRESHOLDS.largestOverOverall}x the overall rate, at the sustainable load and at each curve load`;
  const row = rows.find((r) => r.scenario === LONG_PROMPTS_SCENARIO && r.strategy === HEADROOM_ID);
  if (!row) return notMeasured(id, title, `${LONG_PROMPTS_SCENARIO} was not run with Headroom`);
  const points = [
    { load: 'sustainable', largest: row.largestFailureRate, overall: row.clientFailureRate },
    ...curves.filter((c) => c.scenario === LONG_PROMPTS_SCENARIO && c.strategy === HEADROOM_ID)
      .map((c) => ({ load: `${c.multiple.toFixed(1)}x`, largest: c.metrics.largestFailureRate.mean, overall: c.metrics.failureRate.mean })),
  ];
  const bad = points.filter((p) => p.largest > THRESHOLDS.largestOverOverall * p.overall);
  return {
    id, title, met: bad.length === 0, measured: points,
    reason: bad.length === 0
      ? `within ${THRESHOLDS.largestOverOverall}x at all ${points.length} loads`
      : `worse than ${THRESHOLDS.largestOverOverall}x at ${bad.map((p) => `${p.load} (largest ${pct(p.largest)} vs overall ${pct(p.overall)})`).join('; ')}`,
  };
}

/** The Headroom fleet row (several `headroom serve` processes; id 'headroom-fleet') if there is one, else a single-process row. */
export function headroomRealRow(rows: readonly RealRowLike[]): RealRowLike | undefined {
  const fleet = rows.find((r) => r.id === 'headroom-fleet');
  if (fleet) return fleet;
  const headroom = rows.filter((r) => /headroom/i.test(r.system));
  return headroom.find((r) => /fleet|shared|processes|x\s*3|3\s*x/i.test(r.system)) ?? headroom[0];
}

/** The Portkey gateway configured with loadbalance + nested fallback (id 'portkey-fallback'). */
export function portkeyFallbackRealRow(rows: readonly RealRowLike[]): RealRowLike | undefined {
  return rows.find((r) => r.id === 'portkey-fallback') ?? rows.find((r) => /portkey/i.test(r.system) && /fallback/i.test(r.system));
}

function realTargets(real: TargetInput['real']): TargetResult[] {
  const goodputTitle = `Real processes: goodput >= ${THRESHOLDS.realGoodputOverPortkey}x the Portkey gateway with nested fallback at 105-110% load, with fewer client 429s`;
  const latencyTitle = `Real processes: added p50 latency <= ${THRESHOLDS.realAddedP50Ms} ms over direct calls, in the same run`;
  if (!real) return [notMeasured('real-goodput', goodputTitle, 'run without real processes (--no-real)'), notMeasured('real-added-p50', latencyTitle, 'run without real processes (--no-real)')];
  const headroom = headroomRealRow(real.rows);
  const portkey = portkeyFallbackRealRow(real.rows);
  const goodput: TargetResult = !headroom || !portkey
    ? notMeasured('real-goodput', goodputTitle, `no ${!headroom ? 'Headroom' : 'Portkey nested-fallback'} row in the real-process table`)
    : (() => {
      const ratio = portkey.goodputTpm > 0 ? headroom.goodputTpm / portkey.goodputTpm : Number.POSITIVE_INFINITY;
      const fewer429 = headroom.client429 < portkey.client429;
      const met = ratio >= THRESHOLDS.realGoodputOverPortkey && fewer429;
      return {
        id: 'real-goodput', title: goodputTitle, met,
        measured: { headroom: headroom.system, portkey: portkey.system, goodputRatio: ratio, headroomGoodputTpm: headroom.goodputTpm, portkeyGoodputTpm: portkey.goodputTpm, headroomClient429: headroom.client429, portkeyClient429: portkey.client429 },
        reason: `goodput ${ratio.toFixed(2)}x Portkey's (needs ${THRESHOLDS.realGoodputOverPortkey}x); client 429s ${headroom.client429} vs ${portkey.client429} (${fewer429 ? 'fewer' : 'not fewer'})`,
      };
    })();
  const latency: TargetResult = !headroom
    ? notMeasured('real-added-p50', latencyTitle, 'no Headroom row in the real-process table')
    : {
      id: 'real-added-p50', title: latencyTitle, met: headroom.addedP50Ms <= THRESHOLDS.realAddedP50Ms,
      measured: { system: headroom.system, addedP50Ms: headroom.addedP50Ms },
      reason: `${headroom.system}: added p50 ${headroom.addedP50Ms.toFixed(2)} ms (limit ${THRESHOLDS.realAddedP50Ms} ms)`,
    };
  return [goodput, latency];
}

/** Every target of the issue, in the issue's order. */
export function evaluateTargets(input: TargetInput): TargetResult[] {
  const peers = new Set(input.peers);
  return [matchedTarget(input.rows, peers), ...mismatchTargets(input.rows, peers), largeRequestsTarget(input.rows, input.curves), ...realTargets(input.real)];
}
