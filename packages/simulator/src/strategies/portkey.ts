import type { RouterTarget } from '@headroom/plan';
import { FAILOVER, REPLY, type ReportVerdict, type RouteDecision, type RoutingInstance, type SimRequest, type Strategy, type UpstreamResult, type World } from '../model';
import type { Random } from '../random';
import { declaredTokens, eligibleTargets } from './stateless';

/**
 * Portkey gateway configs (the JSON of the `x-portkey-config` header) and a simulated gateway that
 * walks the same config object, so the simulated peer and the real gateway process cannot drift.
 *
 * Semantics, from the gateway's source (Portkey-AI/gateway 1.15.2, the version the real-process
 * benchmark runs; src/handlers/handlerUtils.ts `tryTargetsRecursively`), re-implemented, not copied:
 * - `loadbalance`: ONE target drawn at random in proportion to `weight` (unset = 1); whatever that
 *   target answers is the answer. A loadbalance never tries a second slot.
 * - `fallback`: its targets in order; after each, it stops unless the status is in the strategy's
 *   `on_status_codes` (no list: it goes on after any non-2xx). Having run out, the last target's
 *   answer goes to the client.
 * - a leaf: one attempt; `retry.attempts` (default 0, src/handlers/services/requestContext.ts
 *   `normalizeRetryConfig`) would repeat it on the SAME target; the configs here set no retry.
 * - stateless: nothing is remembered between requests (the circuit breaker in that file only runs
 *   for saved configs with an `id`, a hosted feature; these configs have none).
 */

/** One region as a Portkey user describes it (camelCase here; the config has the snake_case keys). */
export interface PortkeyTargetInput {
  /** Portkey provider slug, e.g. `azure-openai` (https://portkey.ai/docs/integrations/llms/azure-openai). */
  readonly provider: string;
  /** `custom_host`: the base URL the gateway calls instead of the provider's (may be loopback). */
  readonly customHost?: string;
  /** `resource_name` (Azure OpenAI resource). */
  readonly resourceName?: string;
  /** `deployment_id` (Azure OpenAI deployment). The simulation uses the plan's target key here. */
  readonly deploymentId?: string;
  /** `api_version` (Azure OpenAI REST API version). */
  readonly apiVersion?: string;
  /** `api_key` sent to the provider. */
  readonly apiKey?: string;
  /** Load-balancing weight of the slot this region leads: relative share of requests (a user sizes it to the region's quota). */
  readonly weight: number;
}

export interface PortkeyLeaf {
  readonly provider: string;
  readonly custom_host?: string;
  readonly resource_name?: string;
  readonly deployment_id?: string;
  readonly api_version?: string;
  readonly api_key?: string;
  readonly weight?: number;
  readonly retry?: { readonly attempts: number; readonly on_status_codes?: readonly number[] };
}

export interface PortkeyGroup {
  readonly strategy: { readonly mode: 'loadbalance' | 'fallback'; readonly on_status_codes?: readonly number[] };
  readonly targets: readonly PortkeyNode[];
  readonly weight?: number;
  readonly retry?: PortkeyLeaf['retry'];
}

export type PortkeyNode = PortkeyLeaf | PortkeyGroup;

/** The status codes the nested fallback moves on: rate limits only (fallbacks docs, "On Rate Limit Only (429)"). */
export const PORTKEY_FALLBACK_ON = [429] as const;

function leafOf(target: PortkeyTargetInput): PortkeyLeaf {
  return {
    provider: target.provider,
    ...(target.customHost !== undefined ? { custom_host: target.customHost } : {}),
    ...(target.resourceName !== undefined ? { resource_name: target.resourceName } : {}),
    ...(target.deploymentId !== undefined ? { deployment_id: target.deploymentId } : {}),
    ...(target.apiVersion !== undefined ? { api_version: target.apiVersion } : {}),
    ...(target.apiKey !== undefined ? { api_key: target.apiKey } : {}),
  };
}

/**
 * Bare `loadbalance`: one weighted draw per request, no fallback; a 429 goes to the client.
 * https://portkey.ai/docs/product/ai-gateway/load-balancing ("Weights represent relative share of traffic").
 */
export function portkeyLoadbalanceConfig(targets: readonly PortkeyTargetInput[]): PortkeyGroup {
  return { strategy: { mode: 'loadbalance' }, targets: targets.map((t) => ({ ...leafOf(t), weight: t.weight })) };
}

/**
 * Loadbalance with a nested fallback in every slot, as Portkey's guides recommend: "Load Balancer →
 * Fallback (per slot)", "Each load-balanced slot is itself a fallback chain"
 * (https://portkey.ai/docs/guides/use-cases/combining-routing-strategies, "Isolate Failures Between
 * Model Families"; Portkey-AI/docs-core guides/use-cases/setting-up-resilient-load-balancers-with-failure-mitigating-fallbacks.mdx:
 * "it is recommended to pair it with a Fallback strategy"). The fallback moves on `onStatusCodes`
 * (default [429], https://portkey.ai/docs/product/ai-gateway/fallbacks "On Rate Limit Only (429)").
 *
 * Slot i carries target i's weight and tries target i first, then the others in rotation (i+1, i+2,
 * ... wrapping), so that one region's overflow does not all land on the same backup.
 * Output, for targets A, B, C:
 * `{ strategy: { mode: 'loadbalance' }, targets: [
 *    { strategy: { mode: 'fallback', on_status_codes: [429] }, targets: [A, B, C], weight: wA },
 *    { ..., targets: [B, C, A], weight: wB }, { ..., targets: [C, A, B], weight: wC } ] }`
 * where each leaf is `{ provider, custom_host?, resource_name?, deployment_id?, api_version?, api_key? }`.
 */
export function portkeyNestedFallbackConfig(targets: readonly PortkeyTargetInput[], options: { readonly onStatusCodes?: readonly number[] } = {}): PortkeyGroup {
  const onStatusCodes = [...(options.onStatusCodes ?? PORTKEY_FALLBACK_ON)];
  const leaves = targets.map(leafOf);
  return {
    strategy: { mode: 'loadbalance' },
    targets: targets.map((target, i) => ({
      strategy: { mode: 'fallback', on_status_codes: onStatusCodes },
      targets: leaves.map((_, k) => leaves[(i + k) % leaves.length]!),
      weight: target.weight,
    })),
  };
}

const isGroup = (node: PortkeyNode): node is PortkeyGroup => 'strategy' in node;

/**
 * One request through a config, as `tryTargetsRecursively` walks it: yields each leaf to call and
 * receives its HTTP status; returns the status the client gets.
 */
export function* walkPortkeyConfig(node: PortkeyNode, random: Random): Generator<PortkeyLeaf, number, number> {
  if (node.retry && node.retry.attempts > 0) throw new Error('portkey retry is not simulated: its backoff waits happen inside one route call');
  if (!isGroup(node)) return yield node;
  if (node.strategy.mode === 'loadbalance') {
    const weightOf = (t: PortkeyNode) => t.weight ?? 1;
    let draw = random.uniform() * node.targets.reduce((sum, t) => sum + weightOf(t), 0);
    for (const child of node.targets) {
      if (draw < weightOf(child)) return yield* walkPortkeyConfig(child, random);
      draw -= weightOf(child);
    }
    throw new Error('portkey loadbalance: no target drawn (all weights 0?)');
  }
  const codes = node.strategy.on_status_codes;
  let status = 0;
  for (const child of node.targets) {
    status = yield* walkPortkeyConfig(child, random);
    const ok = status >= 200 && status < 300;
    if (codes ? !codes.includes(status) : ok) break;
  }
  return status;
}

const statusOf = (result: UpstreamResult): number => (result.kind === 'success' ? 200 : result.kind === 'throttled' ? 429 : result.status);

/** The simulation's leaves name the plan target in `deployment_id`. */
function simulatedInput(target: RouterTarget): PortkeyTargetInput {
  return { provider: target.provider, deploymentId: target.key, weight: declaredTokens(target) };
}

interface Walk {
  readonly steps: Generator<PortkeyLeaf, number, number>;
  next?: string;
}

/**
 * A gateway process interpreting one config per request. Calls are told apart by their request
 * object (the engine keeps one per logical call); a first attempt (nothing tried) starts a new walk,
 * which is also what a client retry is to a stateless gateway.
 */
class PortkeyGateway implements RoutingInstance {
  private readonly walks = new WeakMap<SimRequest, Walk>();
  private readonly configs = new Map<string, PortkeyNode>();
  constructor(private readonly world: World, private readonly random: Random, private readonly build: (targets: readonly PortkeyTargetInput[]) => PortkeyNode) {}

  /** The config for the request's eligible targets (a residency pin is a conditional route to the pinned regions' config). */
  private configFor(request: SimRequest): PortkeyNode {
    const eligible = eligibleTargets(this.world, request);
    const id = eligible.map((t) => t.key).join(',');
    let config = this.configs.get(id);
    if (!config) { config = this.build(eligible.map(simulatedInput)); this.configs.set(id, config); }
    return config;
  }

  begin(): number { return 0; }

  route(request: SimRequest, _now: number, tried: ReadonlySet<string>): RouteDecision {
    let walk = this.walks.get(request);
    if (tried.size === 0 || !walk) {
      if (eligibleTargets(this.world, request).length === 0) return { kind: 'reject' };
      const steps = walkPortkeyConfig(this.configFor(request), this.random);
      const first = steps.next();
      walk = { steps, ...(first.done ? {} : { next: first.value.deployment_id! }) };
      this.walks.set(request, walk);
    }
    const target = walk.next;
    if (target === undefined) return { kind: 'reject' };
    walk.next = undefined;
    return { kind: 'send', target, handle: request };
  }

  report(handle: unknown, result: UpstreamResult): ReportVerdict {
    const walk = this.walks.get(handle as SimRequest);
    if (!walk) return REPLY;
    const step = walk.steps.next(statusOf(result));
    if (step.done) { this.walks.delete(handle as SimRequest); return REPLY; }
    walk.next = step.value.deployment_id!;
    return FAILOVER;
  }
}

/** Portkey `loadbalance` with a nested `fallback` on 429 in every slot, as the guides recommend. */
export const portkeyNestedFallbackStrategy: Strategy = {
  id: 'portkey-loadbalance-fallback',
  label: 'Portkey loadbalance + nested fallback on 429',
  source: 'https://portkey.ai/docs/guides/use-cases/combining-routing-strategies (Load Balancer → Fallback); Portkey-AI/gateway src/handlers/handlerUtils.ts tryTargetsRecursively',
  instances: (world, count) => Array.from({ length: count }, (_, i) => new PortkeyGateway(world, world.random.fork(0x7171 + i), (targets) => portkeyNestedFallbackConfig(targets))),
};
