import { FAILOVER, REPLY, type ReportVerdict, type RouteDecision, type RoutingInstance, type SimRequest, type Strategy, type UpstreamResult, type World } from '../model';
import type { Random } from '../random';
import { eligibleTargets } from './stateless';

/**
 * nginx round robin with passive health checks, as its docs configure an upstream group:
 *
 *   upstream llm { server a max_fails=1 fail_timeout=10s; server b ...; server c ...; }
 *   proxy_next_upstream error timeout http_429 http_500 http_502 http_503 http_504 non_idempotent;
 *
 * From https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server:
 * - `max_fails` (default 1): unsuccessful attempts within `fail_timeout` that make the server
 *   unavailable for `fail_timeout` (default 10 s); "what is considered an unsuccessful attempt is
 *   defined by the proxy_next_upstream" directive.
 * From https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_next_upstream:
 * - "The cases of http_500, http_502, http_503, http_504, and http_429 are considered unsuccessful
 *   attempts only if they are specified in the directive"; any other status (e.g. Anthropic's 529)
 *   goes to the client and is not a failure.
 * - `non_idempotent`: without it a POST (every LLM call) is never passed to the next server, so a
 *   user who wants failover must list it.
 * - `proxy_next_upstream_tries` 0 (default): no limit beyond the number of servers.
 * From nginx src/http/ngx_http_upstream_round_robin.c (re-implemented, not copied):
 * - `ngx_http_upstream_get_peer` skips a peer while `fails >= max_fails` and
 *   `now - checked <= fail_timeout`; once fail_timeout has passed it is tried again (`checked` = now).
 * - `ngx_http_upstream_free_round_robin_peer`: a failure does `fails++`, `accessed = checked = now`;
 *   a success resets `fails` only if the peer was checked after its last failure (`accessed < checked`).
 * - every peer ejected: the request fails with 502 ("no live upstreams") and all `fails` are reset
 *   to 0 ("all peers failed, mark them as live for quick recovery").
 * From src/http/ngx_http_upstream.c `ngx_http_upstream_test_next`: a listed status moves to the
 * next server only while `tries > 1`; on the last server the response goes to the client as is and
 * the peer is released as a success (not counted).
 * Equal weights (nginx's smooth weighted round robin is then a plain rotation); each router
 * instance is one nginx with its own peer state (no shared `zone`).
 */
export interface EjectionOptions {
  /** @default 1 (nginx default) */
  readonly maxFails?: number;
  /** @default 10000 (nginx default 10 s) */
  readonly failTimeoutMs?: number;
  /** Statuses listed in `proxy_next_upstream` (429 and 5xx as above). */
  readonly nextUpstreamStatuses?: readonly number[];
}

export const NGINX_NEXT_UPSTREAM_STATUSES = [429, 500, 502, 503, 504] as const;

interface PeerState { fails: number; checked: number; accessed: number }
interface Attempt { readonly key: string; readonly triesLeft: number }

export class RoundRobinEjection implements RoutingInstance {
  private next: number;
  private readonly peers = new Map<string, PeerState>();
  private readonly maxFails: number;
  private readonly failTimeoutMs: number;
  private readonly listed: ReadonlySet<number>;

  constructor(private readonly world: World, random: Random, options: EjectionOptions = {}) {
    this.next = Math.floor(random.uniform() * world.targets.length);
    this.maxFails = options.maxFails ?? 1;
    this.failTimeoutMs = options.failTimeoutMs ?? 10_000;
    this.listed = new Set(options.nextUpstreamStatuses ?? NGINX_NEXT_UPSTREAM_STATUSES);
  }

  private peer(key: string): PeerState {
    let state = this.peers.get(key);
    if (!state) { state = { fails: 0, checked: Number.NEGATIVE_INFINITY, accessed: Number.NEGATIVE_INFINITY }; this.peers.set(key, state); }
    return state;
  }

  /** Whether nginx would skip this peer now (max_fails reached within fail_timeout). */
  ejected(key: string, now: number): boolean {
    const p = this.peer(key);
    return this.maxFails > 0 && p.fails >= this.maxFails && now - p.checked <= this.failTimeoutMs;
  }

  begin(): number { return 0; }

  route(request: SimRequest, now: number, tried: ReadonlySet<string>): RouteDecision {
    const eligible = eligibleTargets(this.world, request);
    for (let i = 0; i < eligible.length; i++) {
      const target = eligible[(this.next + i) % eligible.length]!;
      if (tried.has(target.key) || this.ejected(target.key, now)) continue;
      if (tried.size === 0) this.next = (this.next + i + 1) % Math.max(1, eligible.length);
      const p = this.peer(target.key);
      if (now - p.checked > this.failTimeoutMs) p.checked = now;
      return { kind: 'send', target: target.key, handle: { key: target.key, triesLeft: eligible.length - tried.size } satisfies Attempt };
    }
    // No live upstream: 502, and every peer is marked live again for quick recovery.
    for (const target of eligible) this.peer(target.key).fails = 0;
    return { kind: 'reject', status: 502 };
  }

  report(handle: unknown, result: UpstreamResult, now: number): ReportVerdict {
    const attempt = handle as Attempt;
    const p = this.peer(attempt.key);
    const status = result.kind === 'throttled' ? 429 : result.kind === 'error' ? result.status : 200;
    const unsuccessful = result.kind !== 'success' && this.listed.has(status);
    if (unsuccessful && attempt.triesLeft > 1) {
      p.fails++;
      p.accessed = now;
      p.checked = now;
      return FAILOVER;
    }
    // A success, an unlisted status, or the last server's answer: passed to the client, released as a success.
    if (p.accessed < p.checked) p.fails = 0;
    return REPLY;
  }
}

export function roundRobinEjectionStrategy(options: EjectionOptions = {}): Strategy {
  return {
    id: 'round-robin-ejection',
    label: `Round robin + max_fails=${options.maxFails ?? 1} fail_timeout=${(options.failTimeoutMs ?? 10_000) / 1000}s`,
    source: 'https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server; https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_next_upstream',
    instances: (world, count) => Array.from({ length: count }, (_, i) => new RoundRobinEjection(world, world.random.fork(0x5252 + i), options)),
  };
}
