import type { RouterConfig } from '@headroom/plan';
import { ManualClock, type QuotaTicket, type TargetQuota } from '@headroom/emulator';
import { MAX_HOLDS_PER_REQUEST } from '@headroom/router-lambda';
import type { FailedKind, RoutingInstance, SimRequest, Strategy, UpstreamResult, World } from './model';
import { percentile, Random } from './random';
import { SimSharedStore, type StoreModel } from './shared-store';
import type { TrafficStream } from './traffic';
import type { ProviderTruth } from './truth';
import { Upstream, type Degradation, type Failure } from './upstream';

/** A router may hold one call at most this many times (the router's own bound); the next hold is answered as a 429. */
export const MAX_HOLDS_PER_CALL = MAX_HOLDS_PER_REQUEST;

/** The share of measured logical requests (by inputTokens + maxTokens) that `largestFailureRate` covers. */
export const LARGEST_SHARE = 0.05;

/** Latencies the engine models (virtual ms). */
export interface LatencyModel {
  /** Time to first token, lognormal median. @default 600 */
  readonly ttftMs?: number;
  /** Output speed. @default 80 tokens/s */
  readonly tokensPerSecond?: number;
  /** Round trip of a refused (429) attempt, router to upstream and back. @default 40 */
  readonly rejectRttMs?: number;
  /** The router's own processing per attempt. @default 0.05 */
  readonly decisionMs?: number;
}

/**
 * How clients retry a refusal (a 429, or a 529/503/5xx: the official SDKs retry both, and read
 * `retry-after-ms` first). A 400 is never retried.
 */
export interface ClientRetryModel {
  /** Retries per logical request after a refusal. */
  readonly attempts: number;
  /** First backoff when no retry-after is given; doubles, with full jitter. @default 1000 */
  readonly baseBackoffMs?: number;
  /** Honour the router's retry-after (up to this much). @default 60000 */
  readonly maxRetryAfterMs?: number;
}

export interface RunSpec {
  readonly config: RouterConfig;
  readonly family: string;
  readonly stream: TrafficStream;
  readonly ratePerMin: number;
  readonly strategy: Strategy;
  /** @default 1 */
  readonly instances?: number;
  /** A shared store between instances (the router's; peers model their own sharing). */
  readonly store?: StoreModel;
  readonly clientRetries?: ClientRetryModel;
  readonly degraded?: { readonly target: string } & Degradation;
  /** Targets that answer every call with an error status in a window (times from the run's start). */
  readonly failing?: readonly ({ readonly target: string } & Failure)[];
  readonly latency?: LatencyModel;
  /** How each provider endpoint really behaves, by target key (absent: as declared). Never given to a router. */
  readonly truth?: Readonly<Record<string, ProviderTruth>>;
  /** Metrics count requests that arrive after this. @default 5 min */
  readonly warmupMs?: number;
  readonly seed?: number;
}

export interface RunResult {
  readonly strategy: string;
  readonly ratePerMin: number;
  readonly logicalRequests: number;
  readonly clientCalls: number;
  /** Quota refusals a client received: 429s (router-made or passed through), retries included. */
  readonly client429: number;
  /**
   * Outage answers a client received: the router's 529 (Anthropic) / 503 (OpenAI) when every
   * target failed with errors or the retry budget refused a failover after an error, and upstream
   * 5xx passed through by peers. Not quota, but a refused call all the same.
   */
  readonly clientOutage: number;
  /** Other client errors (the router's 400 for a request no target can ever serve). */
  readonly clientInvalid: number;
  /** Logical requests that ended refused (429 or outage) after every client retry, or invalid. */
  readonly failedRequests: number;
  readonly successes: number;
  readonly upstreamAttempts: number;
  readonly upstream429: number;
  /** client 429s / client calls. */
  readonly client429Rate: number;
  /** client outage answers / client calls. */
  readonly clientOutageRate: number;
  /**
   * (client 429s + outage answers) / client calls: the rate the sustainable load is bisected on, so
   * that answering an outage as 529 instead of 429 cannot move a benchmark number.
   */
  readonly clientRefusedRate: number;
  readonly upstream429Rate: number;
  /** Upstream attempts per logical request. */
  readonly retryAmplification: number;
  /** Successful tokens (input + output) per minute over the measured window. */
  readonly goodputTpm: number;
  readonly addedLatencyP50Ms: number;
  readonly addedLatencyP99Ms: number;
  readonly byTarget: Readonly<Record<string, { attempts: number; throttled: number; successes: number }>>;
  /** Failed logical requests / logical requests (measured). */
  readonly failureRate: number;
  /** Tokens (input + output) of failed measured logical requests / tokens of all measured logical requests. */
  readonly tokenWeightedFailureRate: number;
  /**
   * Failure rate among measured logical requests whose inputTokens + maxTokens is in the run's top
   * LARGEST_SHARE (ties with the smallest of them included).
   */
  readonly largestFailureRate: number;
  /** Hold decisions (the router kept a call to place it again later), measured calls only. */
  readonly holds: number;
}

type Event =
  | { readonly t: number; readonly seq: number; readonly kind: 'call'; readonly call: Call }
  /** A held call comes back to its router to be placed again. */
  | { readonly t: number; readonly seq: number; readonly kind: 'hold'; readonly call: Call }
  /** A 429 or an error status reaches the router one round trip after the attempt. */
  | { readonly t: number; readonly seq: number; readonly kind: 'refused'; readonly call: Call; readonly target: string; readonly handle: unknown; readonly result: Exclude<UpstreamResult, { kind: 'success' }> }
  | { readonly t: number; readonly seq: number; readonly kind: 'done'; readonly call: Call; readonly target: string; readonly handle: unknown; readonly quota: TargetQuota; readonly ticket: QuotaTicket };

interface Call {
  readonly request: SimRequest;
  readonly measured: boolean;
  /** In the top LARGEST_SHARE of measured requests by inputTokens + maxTokens. */
  readonly largest: boolean;
  instance: RoutingInstance;
  clientTry: number;
  startedAt: number;
  added: number;
  tried: Set<string>;
  /** How this call's failed attempts ended, in order, and the last one's status. */
  failed: FailedKind[];
  lastFailedStatus: number;
  /** Holds in this client call. */
  holds: number;
}

/** A binary min-heap on (t, seq). */
class Queue {
  private readonly heap: Event[] = [];
  private seq = 0;
  get size(): number { return this.heap.length; }
  nextSeq(): number { return this.seq++; }
  push(event: Event): void {
    const h = this.heap;
    h.push(event);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p]!, h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }
  pop(): Event | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}

function less(a: Event, b: Event): boolean {
  return a.t < b.t || (a.t === b.t && a.seq < b.seq);
}

/** Run one strategy on one traffic stream at one rate, in virtual time. Deterministic for a seed. */
export async function runSimulation(spec: RunSpec): Promise<RunResult> {
  const start = Date.UTC(2026, 0, 1);
  const clock = new ManualClock(start);
  const family = spec.config.families[spec.family];
  if (!family) throw new Error(`unknown family ${JSON.stringify(spec.family)}; known: ${Object.keys(spec.config.families).join(', ')}`);
  for (const f of spec.failing ?? []) if (!family.targets.includes(f.target)) throw new Error(`failing target ${JSON.stringify(f.target)} is not in family ${spec.family}`);
  const targets = family.targets.map((key) => spec.config.targets[key]!);
  const upstreams = new Map(targets.map((t) => {
    const d = spec.degraded && spec.degraded.target === t.key ? { fromMs: start + spec.degraded.fromMs, toMs: start + spec.degraded.toMs, factor: spec.degraded.factor } : undefined;
    const f = spec.failing?.find((x) => x.target === t.key);
    return [t.key, new Upstream(t, clock, d, f ? { fromMs: start + f.fromMs, toMs: start + f.toMs, status: f.status } : undefined, spec.truth?.[t.key])] as const;
  }));
  for (const key of Object.keys(spec.truth ?? {})) if (!family.targets.includes(key)) throw new Error(`truth for ${JSON.stringify(key)}, which is not in family ${spec.family}`);
  const seed = spec.seed ?? 1;
  const random = new Random(seed * 7919 + 17);
  const store = spec.store ? new SimSharedStore(spec.store) : undefined;
  // Routers and peers get the plan only; the endpoints (the truth) go to the oracle alone.
  const world: World = { config: spec.config, family: spec.family, targets, random: random.fork(1), ...(spec.strategy.readsTruth ? { upstreams } : {}), ...(store ? { store } : {}) };
  const count = spec.instances ?? 1;
  const instances = spec.strategy.instances(world, count);
  const pick = random.fork(2);
  const latencyRandom = random.fork(3);
  const lat = { ttftMs: 600, tokensPerSecond: 80, rejectRttMs: 40, decisionMs: 0.05, ...spec.latency };
  const warmup = start + (spec.warmupMs ?? 5 * 60_000);
  const end = start + spec.stream.durationMs;

  const queue = new Queue();
  const arrivals = spec.stream.at(spec.ratePerMin);
  const largestFrom = largestThreshold(arrivals.filter((a) => start + a.t >= warmup).map((a) => a.request));
  arrivals.forEach((a, i) => {
    const request: SimRequest = { ...a.request, logical: i, family: spec.family };
    const measured = start + a.t >= warmup;
    const call: Call = { request, measured, largest: measured && sizeOf(request) >= largestFrom, instance: instances[0]!, clientTry: 0, startedAt: 0, added: 0, tried: new Set(), failed: [], lastFailedStatus: 0, holds: 0 };
    queue.push({ t: start + a.t, seq: queue.nextSeq(), kind: 'call', call });
  });

  const m = { logical: 0, calls: 0, c429: 0, cOutage: 0, cInvalid: 0, failed: 0, ok: 0, attempts: 0, u429: 0, tokens: 0, holds: 0, largest: 0, largestFailed: 0, requestTokens: 0, failedTokens: 0 };
  const added: number[] = [];
  const byTarget: Record<string, { attempts: number; throttled: number; successes: number }> = {};
  for (const t of targets) byTarget[t.key] = { attempts: 0, throttled: 0, successes: 0 };

  /** The client gets `status` (a router-made answer or a failed attempt passed through) and may retry it. */
  const clientRefused = (call: Call, now: number, status: number, retryAfterMs: number | undefined) => {
    const retryable = status === 429 || status >= 500;
    if (call.measured) {
      if (status === 429) m.c429++;
      else if (status >= 500) m.cOutage++;
      else m.cInvalid++;
    }
    const retries = spec.clientRetries;
    if (retryable && retries && call.clientTry < retries.attempts) {
      const backoff = (retries.baseBackoffMs ?? 1000) * 2 ** call.clientTry * latencyRandom.uniform();
      const wait = retryAfterMs !== undefined ? Math.min(retries.maxRetryAfterMs ?? 60_000, retryAfterMs) : backoff;
      call.clientTry++;
      queue.push({ t: now + Math.max(1, wait), seq: queue.nextSeq(), kind: 'call', call });
    } else if (call.measured) {
      m.failed++;
      m.failedTokens += call.request.inputTokens + call.request.outputTokens;
      if (call.largest) m.largestFailed++;
    }
  };

  const attempt = (call: Call, now: number) => {
    const decision = call.instance.route(call.request, now, call.tried, call.failed);
    call.added += lat.decisionMs;
    // A router that gives up without saying how: the last failed attempt's reply, or its own 429.
    if (decision.kind === 'reject') return clientRefused(call, now, decision.status ?? (call.failed.length > 0 ? call.lastFailedStatus : 429), decision.retryAfterMs);
    if (decision.kind === 'hold') {
      if (call.holds >= MAX_HOLDS_PER_CALL) return clientRefused(call, now, 429, undefined);
      call.holds++;
      if (call.measured) m.holds++;
      const wait = Math.max(0, decision.waitMs);
      call.added += wait;
      queue.push({ t: now + wait, seq: queue.nextSeq(), kind: 'hold', call });
      return;
    }
    const upstream = upstreams.get(decision.target)!;
    if (call.measured) { m.attempts++; byTarget[decision.target]!.attempts++; }
    const admission = upstream.admit(call.request);
    if (admission.admitted) {
      const service = latencyRandom.lognormal(lat.ttftMs * upstream.ttftFactor, 0.4) + (call.request.outputTokens / lat.tokensPerSecond) * 1000 + upstream.rttMs;
      if (call.measured) added.push(call.added);
      queue.push({ t: now + service, seq: queue.nextSeq(), kind: 'done', call, target: decision.target, handle: decision.handle, quota: admission.quota, ticket: admission.ticket });
      return;
    }
    const result: Exclude<UpstreamResult, { kind: 'success' }> = 'errorStatus' in admission
      ? { kind: 'error', status: admission.errorStatus }
      : { kind: 'throttled', headers: admission.headers };
    if (call.measured && result.kind === 'throttled') { m.u429++; byTarget[decision.target]!.throttled++; }
    const rtt = lat.rejectRttMs + upstream.rttMs;
    const at = now + rtt;
    call.added += rtt;
    queue.push({ t: at, seq: queue.nextSeq(), kind: 'refused', call, target: decision.target, handle: decision.handle, result });
  };

  for (let event = queue.pop(); event; event = queue.pop()) {
    if (event.t > end + 10 * 60_000) break;
    const now = Math.max(clock.now(), event.t);
    clock.advance(now - clock.now());
    if (store) await store.flush(now);
    const call = event.call;
    if (event.kind === 'hold') {
      attempt(call, now);
    } else if (event.kind === 'call') {
      if (call.clientTry === 0 && call.measured) {
        m.logical++;
        m.requestTokens += call.request.inputTokens + call.request.outputTokens;
        if (call.largest) m.largest++;
      }
      if (call.measured) m.calls++;
      call.instance = instances[count === 1 ? 0 : Math.floor(pick.uniform() * count)]!;
      call.tried = new Set();
      call.failed = [];
      call.holds = 0;
      call.startedAt = now;
      call.added = await call.instance.begin(call.request, now);
      attempt(call, now);
    } else if (event.kind === 'refused') {
      const verdict = call.instance.report(event.handle, event.result, now);
      call.tried.add(event.target);
      call.failed.push(event.result.kind);
      call.lastFailedStatus = event.result.kind === 'throttled' ? 429 : event.result.status;
      if (verdict.kind === 'failover') attempt(call, now);
      else clientRefused(call, now, verdict.status ?? call.lastFailedStatus, verdict.retryAfterMs);
    } else {
      const usage = { inputTokens: call.request.inputTokens, outputTokens: call.request.outputTokens };
      // The provider settles and reports usage with its own token count; the router sees that.
      const settled = upstreams.get(event.target)!.settle(event.quota, event.ticket, usage);
      call.instance.report(event.handle, { kind: 'success', usage: settled.usage, headers: settled.headers }, now);
      if (call.measured) {
        m.ok++;
        byTarget[event.target]!.successes++;
        if (now <= end) m.tokens += usage.inputTokens + usage.outputTokens;
      }
    }
  }

  const measuredMin = Math.max(1e-9, (end - warmup) / 60_000);
  return {
    strategy: spec.strategy.id,
    ratePerMin: spec.ratePerMin,
    logicalRequests: m.logical,
    clientCalls: m.calls,
    client429: m.c429,
    clientOutage: m.cOutage,
    clientInvalid: m.cInvalid,
    failedRequests: m.failed,
    successes: m.ok,
    upstreamAttempts: m.attempts,
    upstream429: m.u429,
    client429Rate: m.calls > 0 ? m.c429 / m.calls : 0,
    clientOutageRate: m.calls > 0 ? m.cOutage / m.calls : 0,
    clientRefusedRate: m.calls > 0 ? (m.c429 + m.cOutage) / m.calls : 0,
    upstream429Rate: m.attempts > 0 ? m.u429 / m.attempts : 0,
    retryAmplification: m.logical > 0 ? m.attempts / m.logical : 0,
    goodputTpm: m.tokens / measuredMin,
    addedLatencyP50Ms: percentile(added, 50),
    addedLatencyP99Ms: percentile(added, 99),
    byTarget,
    failureRate: m.logical > 0 ? m.failed / m.logical : 0,
    tokenWeightedFailureRate: m.requestTokens > 0 ? m.failedTokens / m.requestTokens : 0,
    largestFailureRate: m.largest > 0 ? m.largestFailed / m.largest : 0,
    holds: m.holds,
  };
}

/** A request's size for the largest-requests metric: what it may cost at most (prompt + max_tokens). */
function sizeOf(request: { inputTokens: number; maxTokens: number }): number {
  return request.inputTokens + request.maxTokens;
}

/** The smallest size in the top LARGEST_SHARE of these requests (Infinity when there are none). */
export function largestThreshold(requests: readonly { inputTokens: number; maxTokens: number }[]): number {
  if (requests.length === 0) return Infinity;
  const ascending = Float64Array.from(requests, sizeOf).sort();
  return ascending[ascending.length - Math.max(1, Math.ceil(LARGEST_SHARE * ascending.length))]!;
}
