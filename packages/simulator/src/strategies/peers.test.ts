import type { RouteDecision, RoutingInstance, SimRequest, UpstreamResult } from '../model';
import { Random } from '../random';
import { worldOf } from './world.test-helpers';
import { azurePlan, chatbotPlan } from '../scenarios';
import { allStrategies, isPeer, PEER_IDS } from './all';
import { portkeyLoadbalanceConfig, portkeyNestedFallbackConfig, portkeyNestedFallbackStrategy, walkPortkeyConfig, type PortkeyLeaf } from './portkey';
import { RoundRobinEjection } from './round-robin';

let logical = 0;
const request = (family = 'chatbot'): SimRequest => ({ logical: logical++, family, inputTokens: 800, maxTokens: 1024, outputTokens: 300 });
const ok: UpstreamResult = { kind: 'success', usage: { inputTokens: 800, outputTokens: 300 }, headers: {} };
const throttled: UpstreamResult = { kind: 'throttled', headers: {} };
const error = (status: number): UpstreamResult => ({ kind: 'error', status });

function sent(decision: RouteDecision): Extract<RouteDecision, { kind: 'send' }> {
  if (decision.kind !== 'send') throw new Error(`expected a placement, got ${JSON.stringify(decision)}`);
  return decision;
}

/** One call as the engine drives it; `answer` gives each attempt's outcome. Returns the targets tried and how it ended. */
function call(instance: RoutingInstance, r: SimRequest, now: number, answer: (target: string, attempt: number) => UpstreamResult): { targets: string[]; ended: 'reply' | RouteDecision } {
  const tried = new Set<string>();
  const failed: ('throttled' | 'error')[] = [];
  const targets: string[] = [];
  for (;;) {
    const decision = instance.route(r, now, tried, failed);
    if (decision.kind !== 'send') return { targets, ended: decision };
    targets.push(decision.target);
    const result = answer(decision.target, targets.length - 1);
    const verdict = instance.report(decision.handle, result, now);
    if (verdict.kind === 'reply') return { targets, ended: 'reply' };
    tried.add(decision.target);
    failed.push(result.kind === 'success' ? 'error' : result.kind);
  }
}

const chatbot = worldOf(chatbotPlan([60_000, 30_000, 10_000]));
const [east, west, ap] = ['chatbot/bedrock-us-east-1', 'chatbot/bedrock-eu-west-1', 'chatbot/bedrock-ap-southeast-1'];

describe('peer ids', () => {
  it('every strategy but Headroom, the oracle and the direct baseline is a peer; Headroom first, the oracle last', () => {
    const ids = allStrategies().map((s) => s.id);
    expect(ids[0]).toMatch(/^headroom/);
    expect(ids[ids.length - 1]).toBe('oracle');
    expect(ids.filter(isPeer)).toEqual([...PEER_IDS]);
    expect(isPeer('headroom')).toBe(false);
    expect(isPeer('single-region')).toBe(false);
  });
});

describe('Portkey configs', () => {
  const azureTargets = ['eastus2', 'swedencentral', 'japaneast'].map((region, i) => ({
    provider: 'azure-openai', customHost: `http://127.0.0.1:900${i}/openai`, resourceName: 'emulated', deploymentId: `gpt-${region}`, apiVersion: '2024-10-21', apiKey: 'local', weight: 30_000,
  }));
  const leaf = (i: number) => ({ provider: 'azure-openai', custom_host: `http://127.0.0.1:900${i}/openai`, resource_name: 'emulated', deployment_id: `gpt-${['eastus2', 'swedencentral', 'japaneast'][i]}`, api_version: '2024-10-21', api_key: 'local' });

  it('nested fallback: the "Load Balancer → Fallback (per slot)" shape of Portkey\'s guide, each slot moving on 429 to the other regions', () => {
    // https://portkey.ai/docs/guides/use-cases/combining-routing-strategies ("Isolate Failures Between
    // Model Families"): { strategy: { mode: "loadbalance" }, targets: [ { strategy: { mode: "fallback" },
    // targets: [primary, backup], weight: 1 }, ... ] }; on_status_codes as in
    // https://portkey.ai/docs/product/ai-gateway/fallbacks "On Rate Limit Only (429)".
    expect(portkeyNestedFallbackConfig(azureTargets)).toEqual({
      strategy: { mode: 'loadbalance' },
      targets: [
        { strategy: { mode: 'fallback', on_status_codes: [429] }, targets: [leaf(0), leaf(1), leaf(2)], weight: 30_000 },
        { strategy: { mode: 'fallback', on_status_codes: [429] }, targets: [leaf(1), leaf(2), leaf(0)], weight: 30_000 },
        { strategy: { mode: 'fallback', on_status_codes: [429] }, targets: [leaf(2), leaf(0), leaf(1)], weight: 30_000 },
      ],
    });
    // It is JSON for the x-portkey-config header: nothing a header cannot carry.
    expect(JSON.parse(JSON.stringify(portkeyNestedFallbackConfig(azureTargets)))).toEqual(portkeyNestedFallbackConfig(azureTargets));
  });

  it('bare loadbalance: weighted leaves, no fallback (https://portkey.ai/docs/product/ai-gateway/load-balancing)', () => {
    expect(portkeyLoadbalanceConfig(azureTargets.slice(0, 2))).toEqual({ strategy: { mode: 'loadbalance' }, targets: [{ ...leaf(0), weight: 30_000 }, { ...leaf(1), weight: 30_000 }] });
  });

  it('a fallback without on_status_codes moves on after any non-2xx and stops at the first 2xx (fallbacks docs: "By default, fallback triggers on any non-2xx")', () => {
    const chain = { strategy: { mode: 'fallback' as const }, targets: [{ provider: 'a' }, { provider: 'b' }, { provider: 'c' }] };
    const steps = walkPortkeyConfig(chain, new Random(1));
    const seen: string[] = [(steps.next().value as PortkeyLeaf).provider];
    let step = steps.next(500);
    while (!step.done) { seen.push((step.value as PortkeyLeaf).provider); step = steps.next(seen.length === 2 ? 200 : 429); }
    expect(seen).toEqual(['a', 'b']);
    expect(step.value).toBe(200);
  });
});

describe('Portkey loadbalance + nested fallback, simulated', () => {
  const instance = () => portkeyNestedFallbackStrategy.instances(chatbot, 1)[0]!;

  it('a 429 moves on to the slot\'s next regions in rotation; all three 429: the last 429 goes to the client', () => {
    const gateway = instance();
    const { targets, ended } = call(gateway, request(), 0, () => throttled);
    expect(ended).toBe('reply');
    expect(targets).toHaveLength(3);
    const order = chatbot.targets.map((t) => t.key); // the family's target order, as the config lists them
    const first = order.indexOf(targets[0]!);
    expect(targets).toEqual([0, 1, 2].map((k) => order[(first + k) % 3]));
  });

  it('a 500 is not in on_status_codes [429]: it goes to the client from the first region, no fallback', () => {
    const { targets, ended } = call(instance(), request(), 0, () => error(500));
    expect(ended).toBe('reply');
    expect(targets).toHaveLength(1);
  });

  it('a request pinned to the EU only ever reaches the EU region (the config is built over the pinned regions)', () => {
    const pinned = worldOf(chatbotPlan(undefined, ['eu']));
    const gateway = portkeyNestedFallbackStrategy.instances(pinned, 1)[0]!;
    for (let i = 0; i < 20; i++) {
      const { targets } = call(gateway, { ...request(), residency: 'eu' }, i, () => throttled);
      expect(targets).toEqual(['chatbot/bedrock-eu-west-1']);
    }
  });

  it('stateless: the first attempt follows the weights (60/30/10 declared TPM) whatever failed before', () => {
    const gateway = instance();
    const firsts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const { targets } = call(gateway, request(), i, (_t, attempt) => (attempt === 0 ? throttled : ok));
      firsts.set(targets[0]!, (firsts.get(targets[0]!) ?? 0) + 1);
    }
    // Binomial sd at n = 4000 is under 0.008 for these shares; 0.03 is about four of them.
    expect(firsts.get(east)! / 4000).toBeCloseTo(0.6, 1);
    expect(Math.abs(firsts.get(west)! / 4000 - 0.3)).toBeLessThan(0.03);
    expect(Math.abs(firsts.get(ap)! / 4000 - 0.1)).toBeLessThan(0.03);
  });
});

describe('round robin with nginx max_fails / fail_timeout', () => {
  const azure = worldOf(azurePlan());
  const [a, b, c] = azure.targets.map((t) => t.key) as [string, string, string];
  const firstOf = (rr: RoundRobinEjection, now: number) => sent(rr.route(request('gpt'), now, new Set())).target;

  it('defaults max_fails=1, fail_timeout=10s: one 429 takes the server out for 10 s, then it is tried again', () => {
    const rr = new RoundRobinEjection(azure, new Random(3));
    const { targets } = call(rr, request('gpt'), 0, (_t, attempt) => (attempt === 0 ? throttled : ok));
    const failedOne = targets[0]!;
    for (let t = 1; t <= 30; t++) expect(firstOf(rr, t * 300)).not.toBe(failedOne); // up to 9 s
    expect(rr.ejected(failedOne, 10_000)).toBe(true);
    expect(rr.ejected(failedOne, 10_001)).toBe(false);
    const after = [0, 1, 2].map(() => firstOf(rr, 10_001));
    expect(after).toContain(failedOne);
  });

  it('max_fails=3: two failures keep the server in, the third takes it out', () => {
    const rr = new RoundRobinEjection(azure, new Random(3), { maxFails: 3 });
    const failOn = (target: string, at: number) => { const d = sent(rr.route(request('gpt'), at, new Set())); return d.target === target ? rr.report(d.handle, throttled, at) : rr.report(d.handle, ok, at); };
    let failures = 0;
    for (let t = 0; failures < 2; t++) if (failOn(a, t).kind === 'failover') failures++;
    expect(rr.ejected(a, 100)).toBe(false);
    for (let t = 100; failures < 3; t++) if (failOn(a, t).kind === 'failover') failures++;
    expect(rr.ejected(a, 200)).toBe(true);
  });

  it('a status proxy_next_upstream does not list (Anthropic\'s 529) goes to the client and is not a failure', () => {
    const rr = new RoundRobinEjection(azure, new Random(3));
    const { targets, ended } = call(rr, request('gpt'), 0, () => error(529));
    expect(ended).toBe('reply');
    expect(rr.ejected(targets[0]!, 1)).toBe(false);
  });

  it('the last server\'s 429 goes to the client (tries > 1 rule); no live server left: 502, and all are live again', () => {
    const rr = new RoundRobinEjection(azure, new Random(3));
    const first = call(rr, request('gpt'), 0, () => throttled);
    expect(first.ended).toBe('reply');
    expect([...first.targets].sort()).toEqual([a, b, c].sort());
    // The last one was released as a success, so it is still in; the two before it are out.
    const last = first.targets[2]!;
    expect([a, b, c].filter((k) => rr.ejected(k, 1))).toEqual([a, b, c].filter((k) => k !== last));
    // It fails too, and the next server to try is out: "no live upstreams", 502, every fails counter reset.
    const second = call(rr, request('gpt'), 1, () => throttled);
    expect(second).toEqual({ targets: [last], ended: { kind: 'reject', status: 502 } });
    expect([a, b, c].some((k) => rr.ejected(k, 2))).toBe(false);
  });
});
