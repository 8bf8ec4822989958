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
 * - counters live per pod; with several pods, each sees the others' usage through Redis, read at
 *   most every ~10 s (batched sync), so a pod's view of other pods lags.
 * Sources: https://docs.litellm.ai/docs/router/learn/strategies ("usage-based-routing-v2 | the
 * deployment with the lowest tpm this minute that stays under its tpm and rpm"),
 * litellm/router_strategy/lowest_tpm_rpm_v2.py in BerriAI/litellm, provider-facts.md "Peer behaviour".
 *
 * Failures (https://docs.litellm.ai/docs/router/learn/reliability: "A retry tries the same model
 * group again ... A cooldown takes one deployment out of every pick, for every request"):
 * - a failed call is retried `num_retries` times, each retry skipping the deployments this request
 *   already failed on, at once while another deployment is healthy (Router._time_to_sleep_before_retry);
 * - cooldown decision, BerriAI/litellm litellm/router_utils/cooldown_handlers.py
 *   `_should_cooldown_deployment` with `allowed_fails` at its default (litellm.allowed_fails = 3,
 *   litellm/__init__.py; a router value equal to it counts as unset, `_is_allowed_fails_set_on_router`):
 *   a 429 in a model group of more than one deployment cools the deployment down at once; another
 *   failure only when more than 50% of this minute's calls to it failed
 *   (`DEFAULT_FAILURE_THRESHOLD_PERCENT` 0.5);
 * - cooldown length: the 429's `Retry-After` (integer seconds) when it has one, otherwise the
 *   router's `cooldown_time` (default `DEFAULT_COOLDOWN_TIME_SECONDS` = 5). The header replaces the
 *   default, shorter or longer; a length of 0 means no cooldown (`_should_run_cooldown_logic`).
 *   Precedence "deployment cooldown_time, then Retry-After, then router cooldown_time": read in
 *   litellm/router_utils/fallback_event_handlers.py `_trigger_cooldown_for_failed_deployment`,
 *   which says it applies router.py's `deployment_callback_on_failure` precedence ("as router.py";
 *   the current router.py itself was not available to read); header read by litellm.utils
 *   `_get_retry_after_from_exception_header` (`retry-after` only).
 * - cooldowns are kept per pod here (LiteLLM keeps them in its DualCache, Redis-backed when configured).
 * Re-implemented, not copied.
 */
export interface LiteLlmOptions {
  /** Router `cooldown_time` when a failure carries no Retry-After. @default 5000 (DEFAULT_COOLDOWN_TIME_SECONDS) */
  readonly cooldownMs?: number;
  /** Router `num_retries`. @default 2 (unset: openai.DEFAULT_MAX_RETRIES, Router.__init__) */
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
  /** This pod's successes and failures per deployment in the current minute (track_deployment_metrics.py). */
  private readonly outcomes = new Map<string, { minute: number; ok: number; failed: number }>();

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

  private outcome(key: string, now: number): { minute: number; ok: number; failed: number } {
    const minute = this.minuteOf(now);
    let o = this.outcomes.get(key);
    if (!o || o.minute !== minute) { o = { minute, ok: 0, failed: 0 }; this.outcomes.set(key, o); }
    return o;
  }

  report(handle: unknown, result: UpstreamResult, now: number): ReportVerdict {
    const key = handle as string;
    if (result.kind === 'success') {
      const minute = this.minuteOf(now);
      const tokens = result.usage.inputTokens + result.usage.outputTokens;
      bump(this.localCounters(minute), key, tokens, 0);
      bump(this.redis.counters(minute), key, tokens, 0);
      this.outcome(key, now).ok++;
      return REPLY;
    }
    const o = this.outcome(key, now);
    o.failed++;
    const coolDown = result.kind === 'throttled'
      ? this.world.targets.length > 1
      : o.failed / (o.ok + o.failed) > FAILURE_THRESHOLD_PERCENT;
    if (coolDown) {
      const header = result.kind === 'throttled' ? retryAfterSeconds(result.headers) : undefined;
      const ms = header !== undefined ? header * 1000 : this.options.cooldownMs;
      if (ms > 0) this.cooldownUntil.set(key, now + ms);
    }
    return FAILOVER;
  }
}

/** DEFAULT_FAILURE_THRESHOLD_PERCENT in litellm/constants.py. */
const FAILURE_THRESHOLD_PERCENT = 0.5;

/**
 * `_get_retry_after_from_exception_header`: `retry-after` as integer seconds (an HTTP date is
 * also accepted there; the simulated providers send seconds). Negative or absent: undefined.
 */
export function retryAfterSeconds(headers: Readonly<Record<string, string>>): number | undefined {
  const raw = headers['retry-after']?.trim();
  if (raw === undefined || !/^[+-]?\d+$/.test(raw)) return undefined;
  const seconds = Number(raw);
  return seconds >= 0 ? seconds : undefined;
}

function liteLlm(id: string, label: string, source: string, options: LiteLlmOptions): Strategy {
  const resolved = { cooldownMs: options.cooldownMs ?? 5_000, numRetries: options.numRetries ?? 2, syncMs: options.syncMs ?? 10_000 };
  return {
    id,
    label,
    source,
    instances: (world, count) => {
      const redis = new Redis();
      return Array.from({ length: count }, (_, i) => new LiteLlmPod(world, redis, world.random.fork(0x1171 + i), count, resolved));
    },
  };
}

/** `Router(model_list, routing_strategy="usage-based-routing-v2")` and nothing else: num_retries 2, cooldown_time 5 s. */
export function liteLlmStrategy(options: LiteLlmOptions = {}): Strategy {
  return liteLlm('litellm-usage-v2', 'LiteLLM usage-based-routing-v2', 'https://docs.litellm.ai/docs/router/learn/strategies; BerriAI/litellm litellm/router_strategy/lowest_tpm_rpm_v2.py', options);
}

/**
 * The reliability settings LiteLLM's docs give for production, "Fallbacks + Retries + Timeouts +
 * Cooldowns" (https://docs.litellm.ai/docs/proxy/reliability; BerriAI/litellm
 * docs/my-website/docs/proxy/reliability.md): `num_retries: 3`, `allowed_fails: 3`,
 * `cooldown_time: 30`, `fallbacks: [{"<group>": ["<other group>"]}]`.
 * - `allowed_fails: 3` equals litellm.allowed_fails, so the cooldown decision is the default one;
 * - `fallbacks` name another model group, run after the group's retries are spent. A benchmark
 *   family is ONE model group (every region serves the same model), so there is no other group to
 *   fall back to and they add nothing here; what changes is num_retries and cooldown_time.
 */
export function liteLlmRecommendedStrategy(options: LiteLlmOptions = {}): Strategy {
  return liteLlm('litellm-usage-v2-fallbacks', 'LiteLLM usage-v2 + num_retries 3, cooldown 30 s, fallbacks', 'https://docs.litellm.ai/docs/proxy/reliability (Fallbacks + Retries + Timeouts + Cooldowns)', { numRetries: 3, cooldownMs: 30_000, ...options });
}
