import { compileRouterConfig, definePlan, type RouterConfig } from '@headroom/plan';
import { Router, seededRng, SUB_WINDOW_MS, TRAILING_MS, type SharedUsage, type SharedWindow, type Ticket } from '@headroom/router-lambda';
import { chatbotPlan } from '../scenarios';

/**
 * What one routing decision (`Router.place` + `Router.complete`) costs in CPU, by the number of
 * targets in the family, with and without shared evidence. Shared evidence is what the pipeline
 * hands `place` on every request (router-lambda/src/route.ts reads the store once per call): per
 * target a full trailing minute of sub-windows charged by other instances, freshly read, so every
 * decision replays every target's buckets from it. Building that snapshot (as the store does from
 * the items it read) is part of the cost measured.
 *
 * Microseconds of this process's CPU time (process.cpuUsage), so other processes on a busy machine
 * count less than in wall time; still a benchmark figure, never a test assertion.
 */
export interface DecisionCostOptions {
  /** @default [3, 30, 100] */
  readonly targetCounts?: readonly number[];
  /** Timed batches per configuration; the median is reported. @default 15 */
  readonly batches?: number;
  /** Decisions per batch. @default 400 */
  readonly decisionsPerBatch?: number;
  /** Minutes of other instances' sub-windows in each read (a read returns up to three: REPLAY_MS). @default 1 */
  readonly sharedMinutes?: number;
}

export interface DecisionCost {
  readonly targets: number;
  readonly shared: boolean;
  /** Median over batches of the batch's mean µs per place + complete. */
  readonly microsPerDecision: number;
  readonly batches: number;
  readonly decisionsPerBatch: number;
  /** Share of decisions that placed the request (the full path: replay, score, select, reserve). */
  readonly placedShare: number;
}

const FAMILY = 'chatbot';
const T0 = Date.UTC(2026, 0, 1);
/** Other instances' share of each target: 30% of its limits per minute, spread over the windows. */
const OTHERS_SHARE = 0.3;

/** One family of `count` targets, each a copy of the worked example's us-east-1 target (30k TPM, 1,000 RPM). */
export function familyOf(count: number): RouterConfig {
  const base = compileRouterConfig(definePlan(chatbotPlan()));
  const template = base.targets[base.families[FAMILY]!.targets[0]!]!;
  const targets: Record<string, RouterConfig['targets'][string]> = {};
  const keys: string[] = [];
  for (let i = 0; i < count; i++) {
    const key = `${FAMILY}/copy-${i}`;
    targets[key] = { ...template, key, id: `copy-${i}`, quota: key };
    keys.push(key);
  }
  return { ...base, targets, families: { [FAMILY]: { ...base.families[FAMILY]!, targets: keys } }, quotas: {} };
}

/** A store read at `readAt`: per target, every sub-window of the trailing minute charged by others. */
function snapshotAt(config: RouterConfig, readAt: number, minutes: number, windowsCache: Map<number, readonly SharedWindow[]>): Record<string, SharedUsage> {
  const first = Math.floor((readAt - minutes * TRAILING_MS) / SUB_WINDOW_MS) * SUB_WINDOW_MS;
  let windows = windowsCache.get(first);
  if (!windows) {
    const limits = Object.values(config.targets)[0]!.limits;
    const perMinute = TRAILING_MS / SUB_WINDOW_MS;
    const perWindow = (limit: number | undefined) => ((limit ?? 0) * OTHERS_SHARE) / perMinute;
    windows = Array.from({ length: minutes * perMinute + 1 }, (_, i) => ({
      start: first + i * SUB_WINDOW_MS,
      charge: { rpm: perWindow(limits.rpm), tpm: perWindow(limits.tpm) },
    }));
    windowsCache.set(first, windows);
  }
  const used = { rpm: (config.targets[config.families[FAMILY]!.targets[0]!]!.limits.rpm ?? 0) * OTHERS_SHARE };
  const snapshot: Record<string, SharedUsage> = {};
  for (const key of config.families[FAMILY]!.targets) snapshot[key] = { windows: windows!, used, readAt };
  return snapshot;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function measure(count: number, shared: boolean, batches: number, perBatch: number, minutes: number): DecisionCost {
  const config = familyOf(count);
  const router = new Router(config, { rng: seededRng(1) });
  const windowsCache = new Map<number, readonly SharedWindow[]>();
  // Half the pool's request capacity for this request (Bedrock: input + max_tokens = 250 of 30k TPM per
  // target, 120 a minute), so placements succeed and the router does its full work each time.
  const stepMs = 60_000 / (count * 60);
  let now = T0 + 240_000;
  const outstanding: Ticket[] = [];
  let placed = 0;
  let decided = 0;
  const batch = (): number => {
    // CPU time of this process, not wall time: other processes on a busy machine do not count.
    const started = process.cpuUsage();
    for (let i = 0; i < perBatch; i++) {
      now += stepMs;
      // The read's snapshot is built per request, as the store builds it from the items it read.
      const snapshot = shared ? snapshotAt(config, now, minutes, windowsCache) : undefined;
      const placement = router.place({ family: FAMILY, estimate: { inputTokens: 200, maxTokens: 50 } }, now, snapshot);
      decided++;
      if (placement.kind === 'placed') {
        placed++;
        outstanding.push(placement.ticket);
      }
      if (outstanding.length > 8) router.complete(outstanding.shift()!, { kind: 'success', usage: { inputTokens: 200, outputTokens: 20 }, observations: [] }, now);
    }
    const used = process.cpuUsage(started);
    return (used.user + used.system) / perBatch;
  };
  for (let i = 0; i < 3; i++) batch(); // warm the JIT
  const timings = Array.from({ length: batches }, batch);
  return { targets: count, shared, microsPerDecision: median(timings), batches, decisionsPerBatch: perBatch, placedShare: placed / decided };
}

export function decisionCost(options: DecisionCostOptions = {}): DecisionCost[] {
  const counts = options.targetCounts ?? [3, 30, 100];
  const batches = options.batches ?? 15;
  const perBatch = options.decisionsPerBatch ?? 400;
  return counts.flatMap((count) => [false, true].map((shared) => measure(count, shared, batches, perBatch, options.sharedMinutes ?? 1)));
}

/** Text table: one row per target count, µs per decision without and with shared evidence. */
export function decisionCostTable(rows: readonly DecisionCost[]): string {
  const lines = ['targets | µs/decision, no shared read | µs/decision, shared read (1 min of sub-windows per target) | µs per target (shared)', '---|---|---|---'];
  for (const count of [...new Set(rows.map((r) => r.targets))]) {
    const alone = rows.find((r) => r.targets === count && !r.shared);
    const withShared = rows.find((r) => r.targets === count && r.shared);
    const fmt = (r: DecisionCost | undefined) => (r ? r.microsPerDecision.toFixed(1) : '-');
    lines.push(`${count} | ${fmt(alone)} | ${fmt(withShared)} | ${withShared ? (withShared.microsPerDecision / count).toFixed(2) : '-'}`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  // `node decision-cost.js [minutes]`: minutes of other instances' sub-windows per read (default 1).
  const minutes = Number(process.argv[2] ?? 1);
  const rows = decisionCost({ sharedMinutes: Number.isFinite(minutes) && minutes > 0 ? minutes : 1 });
  console.log(decisionCostTable(rows));
  console.log(`(CPU µs, median of ${rows[0]!.batches} batches of ${rows[0]!.decisionsPerBatch} decisions; ${minutes} min of sub-windows per target; node ${process.version})`);
}
