/**
 * The open-loop load of the real-process benchmark: one request sequence and schedule, replayed
 * against every system, and what each system made of it.
 */
import { estimateTokens } from '@headroom/emulator';
import { percentile, Random } from '../random';

/** One request of the sequence: when it is due (emulated ms from the start) and what the provider charges for it. */
export interface PlannedRequest {
  readonly atMs: number;
  readonly body: string;
  /** Azure's admission charge: prompt tokens (the emulator's count) + max_tokens, never refunded (provider-facts: Azure OpenAI). */
  readonly charge: number;
  /** In the measured window (after the warm-up that spends the full buckets). */
  readonly measured: boolean;
}

export interface LoadShape {
  /** Pooled quota the load is a share of (tokens per emulated minute, as the provider charges them). */
  readonly pooledTpm: number;
  /** Offered charge as a share of the pooled quota while measured, e.g. 1.07. */
  readonly loadShare: number;
  /** Emulated minutes of warm-up at (loadShare + WARMUP_EXTRA_MIN / warmupMin) x pooled: the buckets start a minute full, this spends them. */
  readonly warmupMin: number;
  /** Emulated minutes measured after the warm-up (>= 2 for the target). */
  readonly measuredMin: number;
  readonly maxTokens: number;
  /** Median prompt length in characters (lognormal, sigma 0.6). */
  readonly promptChars: number;
  readonly seed: number;
}

export const MODEL = 'gpt-5.1';

/**
 * Quota minutes offered over the warm-up beyond the rate: the buckets' full minute, and half a
 * minute more, because calls refused during the warm-up charge nothing and would leave the
 * buckets partly full when the measurement starts.
 */
export const WARMUP_EXTRA_MIN = 1.5;

/**
 * The request sequence with a fluid schedule: request i is due when the charge offered before it
 * reaches the target rate, so the offered load is exactly the asked share in every phase; the
 * varying request sizes make the arrivals irregular. The warm-up offers the buckets' content
 * (one minute of quota, and a margin) on top of the rate, spread over its minutes, so the measured
 * window starts with them spent.
 */
export function planRequests(shape: LoadShape): PlannedRequest[] {
  const random = new Random(shape.seed);
  const warmupShare = shape.loadShare + WARMUP_EXTRA_MIN / shape.warmupMin;
  const warmupCharge = shape.warmupMin * warmupShare * shape.pooledTpm;
  const measuredCharge = shape.measuredMin * shape.loadShare * shape.pooledTpm;
  const requests: PlannedRequest[] = [];
  let offered = 0;
  while (offered < warmupCharge + measuredCharge) {
    const chars = Math.round(Math.max(200, Math.min(8 * shape.promptChars, random.lognormal(shape.promptChars, 0.6))));
    const content = `Summarise this ticket. ${'lorem ipsum '.repeat(Math.ceil(chars / 12))}`.slice(0, chars);
    const charge = estimateTokens(content) + shape.maxTokens;
    const measured = offered >= warmupCharge;
    const atMin = measured
      ? shape.warmupMin + (offered - warmupCharge) / (shape.loadShare * shape.pooledTpm)
      : offered / (warmupShare * shape.pooledTpm);
    requests.push({ atMs: atMin * 60_000, body: JSON.stringify({ model: MODEL, max_tokens: shape.maxTokens, messages: [{ role: 'user', content }] }), charge, measured });
    offered += charge;
  }
  return requests;
}

/** What one request came to, as the client saw it. */
export interface Shot {
  readonly status: number;
  /** Real ms from send to the last byte of the body. */
  readonly ms: number;
  /** prompt + completion tokens the upstream reported (0 unless 200). */
  readonly tokens: number;
  readonly completionTokens: number;
  /** Real ms the send started after it was due (the client machine falling behind). */
  readonly lateMs: number;
  readonly measured: boolean;
}

export type Send = (index: number, body: string) => Promise<Response>;

/**
 * Replays the sequence in real time (emulated ms / timeScale), open loop: a slow answer never
 * delays the next send. Bounded: each call gives up after `timeoutMs`.
 */
export async function drive(send: Send, requests: readonly PlannedRequest[], timeScale: number, options: { timeoutMs?: number; onMeasuredStart?: () => void } = {}): Promise<Shot[]> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const shots: Promise<Shot>[] = [];
  const started = performance.now();
  for (let i = 0; i < requests.length; i++) {
    const request = requests[i]!;
    const due = started + request.atMs / timeScale;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    if (request.measured && !requests[i - 1]?.measured) options.onMeasuredStart?.();
    const t0 = performance.now();
    const lateMs = Math.max(0, t0 - due);
    shots.push(withTimeout(send(i, request.body), timeoutMs).then(async (response) => {
      const text = await response.text();
      const ms = performance.now() - t0;
      const usage = response.status === 200 ? usageOf(text) : { total: 0, completion: 0 };
      return { status: response.status, ms, tokens: usage.total, completionTokens: usage.completion, lateMs, measured: request.measured };
    }, () => ({ status: 0, ms: performance.now() - t0, tokens: 0, completionTokens: 0, lateMs, measured: request.measured })));
  }
  return Promise.all(shots);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(timer));
}

function usageOf(text: string): { total: number; completion: number } {
  try {
    const usage = (JSON.parse(text) as { usage?: { total_tokens?: number; completion_tokens?: number } }).usage;
    return { total: usage?.total_tokens ?? 0, completion: usage?.completion_tokens ?? 0 };
  } catch {
    return { total: 0, completion: 0 };
  }
}

/** One system's numbers over the measured window, before the comparison with direct calls. */
export interface Measured {
  readonly offered: number;
  readonly ok: number;
  readonly client429: number;
  readonly otherErrors: number;
  /** Successful tokens (prompt + completion, as the upstream reported) per emulated minute. */
  readonly goodputTpm: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /**
   * The emulator's own service time for the successful calls, in real ms (its latency model:
   * first token after 20 emulated ms, then 1 ms per output token; packages/emulator/src/latency.ts).
   * The same for every system when they succeed on the same requests: the fairness check.
   */
  readonly serviceP50Ms: number;
  /** p99 of how late the client sent (machine load on the client side). */
  readonly sendLateP99Ms: number;
}

export function summarise(shots: readonly Shot[], measuredMin: number, timeScale: number): Measured {
  const measured = shots.filter((s) => s.measured);
  const ok = measured.filter((s) => s.status === 200);
  const latencies = ok.map((s) => s.ms);
  return {
    offered: measured.length,
    ok: ok.length,
    client429: measured.filter((s) => s.status === 429).length,
    otherErrors: measured.filter((s) => s.status !== 200 && s.status !== 429).length,
    goodputTpm: ok.reduce((sum, s) => sum + s.tokens, 0) / measuredMin,
    latencyP50Ms: percentile(latencies, 50),
    latencyP99Ms: percentile(latencies, 99),
    serviceP50Ms: percentile(ok.map((s) => (20 + s.completionTokens) / timeScale), 50),
    sendLateP99Ms: percentile(measured.map((s) => s.lateMs), 99),
  };
}
