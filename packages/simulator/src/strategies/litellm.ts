import { FAILOVER, REPLY, type ReportVerdict, type RouteDecision, type RoutingInstance, type SimRequest, type Strategy, type UpstreamResult, type World } from '../model';
import type { Random } from '../random';
import { eligibleTargets } from './stateless';

/**
 * LiteLLM Router `routing_strategy: "usage-based-routing-v2"`, from its documented behaviour:
 * - per deployment, TPM and RPM counters keyed by the current UTC minute (`%H-%M`, fixed windows);
 * - pre-call: drop deployments where current-minute TPM + this prompt's tokens > tpm, or RPM + 1 >= rpm;
 * - pick the deployment with the lowest ABSOLUTE current-minute TPM (not a share of its limit);
 * - RPM is counted at the pre-call check, TPM after a successful call (prompt + completion tokens,
 *   what the provider reports as usage: it knows nothing of Bedrock's 5x output burn or Azure's
 *   max_tokens accounting);
 * - no deployment fits: a 429 to the client (retry-after 60 s);
 * - a deployment that returns 429 is cooled down for `cooldown_time` (5 s default; longer when a
 *   retry-after says so) and the call is retried on another deployment (`num_retries`, 2 here);
 * - counters live per pod; with several pods, each sees the others' usage through Redis, read at
 *   most every ~10 s (batched sync), so a pod's view of other pods lags.
 * Sources: https://docs.litellm.ai/docs/router/learn/strategies ("usage-based-routing-v2 | the
 * deployment with the lowest tpm this minute that stays under its tpm and rpm"),
 * https://docs.litellm.ai/docs/routing (cooldowns, num_retries), litellm/router_strategy/lowest_tpm_rpm_v2.py
 * in BerriAI/litellm, and provider-facts.md "Peer behaviour". Re-implemented, not copied.
 */
export interface LiteLlmOptions {
  /** @default 5000 */
  readonly cooldownMs?: number;
  /** @default 2 */
  readonly numRetries?: number;
  /** How often a pod refreshes other pods' counters from Redis. @default 10000 */
  readonly syncMs?: number;
}

type Counters = Map<string, { tpm: number; rpm: number }>;

/** Usage by deployment for one UTC minute, shared by every pod (Redis). */
class Redis {
  readonly minutes = new Map<number, Counters>();
  counters(minute: number): Counters {
    let c = this.minutes.get(minute);
    if (!c) {
      c = new Map();
      this.minutes.set(minute, c);
      for (const key of this.minutes.keys()) if (key < minute - 2) this.minutes.delete(key);
    }
    return c;
  }
}

function bump(counters: Counters, key: string, tpm: number, rpm: number): void {
  const c = counters.get(key) ?? { tpm: 0, rpm: 0 };
  c.tpm += tpm;
  c.rpm += rpm;
  counters.set(key, c);
}

class LiteLlmPod implements RoutingInstance {
  private readonly local = new Map<number, Counters>();
  private snapshot: { minute: number; at: number; counters: Counters; localAt: Counters } | undefined;
  private readonly cooldownUntil = new Map<string, number>();
  private readonly attempts = new Map<number, number>();

  constructor(private readonly world: World, private readonly redis: Redis, private readonly random: Random, private readonly pods: number, private readonly options: Required<LiteLlmOptions>) {}

  begin(): number { return 0; }

  private minuteOf(now: number): number { return Math.floor(now / 60_000); }

  private localCounters(minute: number): Counters {
    let c = this.local.get(minute);
    if (!c) { c = new Map(); this.local.set(minute, c); this.local.delete(minute - 2); }
    return c;
  }

  /** This pod's view of a deployment's usage in the current minute. */
  private usage(key: string, now: number): { tpm: number; rpm: number } {
    const minute = this.minuteOf(now);
    const own = this.localCounters(minute).get(key) ?? { tpm: 0, rpm: 0 };
    if (this.pods <= 1) return own;
    if (!this.snapshot || this.snapshot.minute !== minute || now - this.snapshot.at >= this.options.syncMs) {
      const clone = (c: Counters) => new Map([...c].map(([k, v]) => [k, { ...v }]));
      this.snapshot = { minute, at: now, counters: clone(this.redis.counters(minute)), localAt: clone(this.localCounters(minute)) };
    }
    const global = this.snapshot.counters.get(key) ?? { tpm: 0, rpm: 0 };
    const ownThen = this.snapshot.localAt.get(key) ?? { tpm: 0, rpm: 0 };
    return { tpm: global.tpm - ownThen.tpm + own.tpm, rpm: global.rpm - ownThen.rpm + own.rpm };
  }

  route(request: SimRequest, now: number, tried: ReadonlySet<string>): RouteDecision {
    if (tried.size > this.options.numRetries) return { kind: 'reject' };
    let best: { key: string; tpm: number }[] = [];
    for (const target of eligibleTargets(this.world, request)) {
      if (tried.has(target.key) || (this.cooldownUntil.get(target.key) ?? 0) > now) continue;
      const used = this.usage(target.key, now);
      const tpmLimit = target.limits.tpm ?? (target.limits.itpm ?? 0) + (target.limits.otpm ?? 0);
      const rpmLimit = target.limits.rpm ?? Number.POSITIVE_INFINITY;
      if (used.tpm + request.inputTokens > tpmLimit || used.rpm + 1 >= rpmLimit) continue;
      if (best.length === 0 || used.tpm < best[0]!.tpm) best = [{ key: target.key, tpm: used.tpm }];
      else if (used.tpm === best[0]!.tpm) best.push({ key: target.key, tpm: used.tpm });
    }
    if (best.length === 0) return { kind: 'reject', retryAfterMs: 60_000 };
    const chosen = best[Math.floor(this.random.uniform() * best.length)]!.key;
    const minute = this.minuteOf(now);
    bump(this.localCounters(minute), chosen, 0, 1);
    bump(this.redis.counters(minute), chosen, 0, 1);
    return { kind: 'send', target: chosen, handle: chosen };
  }

  report(handle: unknown, result: UpstreamResult, now: number): ReportVerdict {
    const key = handle as string;
    if (result.kind === 'success') {
      const minute = this.minuteOf(now);
      const tokens = result.usage.inputTokens + result.usage.outputTokens;
      bump(this.localCounters(minute), key, tokens, 0);
      bump(this.redis.counters(minute), key, tokens, 0);
      return REPLY;
    }
    let cooldown = this.options.cooldownMs;
    if (result.kind === 'throttled') {
      const retryAfter = Number(result.headers['retry-after']);
      if (Number.isFinite(retryAfter) && retryAfter * 1000 > cooldown) cooldown = retryAfter * 1000;
    }
    this.cooldownUntil.set(key, Math.max(this.cooldownUntil.get(key) ?? 0, now + cooldown));
    return FAILOVER;
  }
}

export function liteLlmStrategy(options: LiteLlmOptions = {}): Strategy {
  const resolved = { cooldownMs: options.cooldownMs ?? 5_000, numRetries: options.numRetries ?? 2, syncMs: options.syncMs ?? 10_000 };
  return {
    id: 'litellm-usage-v2',
    label: 'LiteLLM usage-based-routing-v2',
    source: 'https://docs.litellm.ai/docs/router/learn/strategies; BerriAI/litellm litellm/router_strategy/lowest_tpm_rpm_v2.py',
    instances: (world, count) => {
      const redis = new Redis();
      return Array.from({ length: count }, (_, i) => new LiteLlmPod(world, redis, world.random.fork(0x1171 + i), count, resolved));
    },
  };
}
