import type { RoutingInstance, SimRequest, UpstreamResult } from '../model';
import { worldOf } from './world.test-helpers';
import { chatbotPlan } from '../scenarios';
import { liteLlmRecommendedStrategy, liteLlmStrategy, retryAfterSeconds } from './litellm';

let logical = 0;
const request = (): SimRequest => ({ logical: logical++, family: 'chatbot', inputTokens: 100, maxTokens: 200, outputTokens: 50 });
const ok: UpstreamResult = { kind: 'success', usage: { inputTokens: 100, outputTokens: 50 }, headers: {} };
const throttled = (headers: Record<string, string> = {}): UpstreamResult => ({ kind: 'throttled', headers });
const world = worldOf(chatbotPlan([90_000, 90_000, 90_000], [], 100_000));
const pod = (strategy = liteLlmStrategy()): RoutingInstance => strategy.instances(world, 1)[0]!;

/** Send one call to `target` (routing fresh calls until the pod picks it) and answer it with `result`. */
function answerOn(instance: RoutingInstance, target: string, result: UpstreamResult, now: number): void {
  for (let i = 0; i < 200; i++) {
    const d = instance.route(request(), now, new Set(), []);
    if (d.kind !== 'send') throw new Error(`no placement: ${JSON.stringify(d)}`);
    if (d.target !== target) continue; // never answered: no usage, just RPM, far below the limit
    instance.report(d.handle, result, now);
    return;
  }
  throw new Error(`${target} never picked`);
}

/** Whether fresh calls at `now` ever go to `target` (ties in usage are broken at random). */
function picks(instance: RoutingInstance, target: string, now: number): boolean {
  for (let i = 0; i < 60; i++) {
    const d = instance.route(request(), now, new Set(), []);
    if (d.kind === 'send' && d.target === target) return true;
  }
  return false;
}

const east = 'chatbot/bedrock-us-east-1';

describe('LiteLLM usage-based-routing-v2, bare (Router(model_list, routing_strategy=...) and nothing else)', () => {
  it('a 429 with no Retry-After cools the deployment down for DEFAULT_COOLDOWN_TIME_SECONDS = 5 s', () => {
    const p = pod();
    answerOn(p, east, throttled(), 1_000);
    expect(picks(p, east, 1_000 + 4_999)).toBe(false);
    expect(picks(p, east, 1_000 + 5_000)).toBe(true);
  });

  it('a Retry-After replaces the cooldown, shorter or longer (router.py deployment_callback_on_failure precedence)', () => {
    const short = pod();
    answerOn(short, east, throttled({ 'retry-after': '2' }), 1_000);
    expect(picks(short, east, 2_999)).toBe(false);
    expect(picks(short, east, 3_000)).toBe(true);
    const long = pod();
    answerOn(long, east, throttled({ 'retry-after': '40' }), 1_000);
    expect(picks(long, east, 40_999)).toBe(false);
    expect(picks(long, east, 41_000)).toBe(true);
  });

  it('num_retries defaults to 2: the third failure of a call goes to the client', () => {
    // Four deployments, so the retries, not the deployments, are what runs out.
    const plan = chatbotPlan();
    const chatbot = (plan.families as Record<string, { targets: Record<string, unknown> }>).chatbot!;
    chatbot.targets['bedrock-us-west-2'] = { provider: 'bedrock', region: 'us-west-2', model: 'anthropic.claude-haiku-4-5-20251001-v1:0', profile: 'us', limits: { rpm: 1000, tpm: 30_000 } };
    const four = worldOf(plan);
    expect(four.targets).toHaveLength(4);
    const p = liteLlmStrategy().instances(four, 1)[0]!;
    const tried = new Set<string>();
    let attempts = 0;
    for (;;) {
      const d = p.route(request(), 0, tried, []);
      if (d.kind !== 'send') break;
      attempts++;
      expect(p.report(d.handle, throttled(), 0)).toEqual({ kind: 'failover' });
      tried.add(d.target);
    }
    expect(attempts).toBe(3);
  });

  it('a 500 cools a deployment down only once more than half of this minute\'s calls to it failed (DEFAULT_FAILURE_THRESHOLD_PERCENT 0.5)', () => {
    const p = pod();
    // Two successes on every deployment: usage-v2 picks the lowest TPM, so they stay tied.
    for (let round = 0; round < 2; round++) for (const target of world.targets) answerOn(p, target.key, ok, 0);
    answerOn(p, east, { kind: 'error', status: 500 }, 0); // 1 of 3
    expect(picks(p, east, 1)).toBe(true);
    answerOn(p, east, { kind: 'error', status: 500 }, 2); // 2 of 4: not more than half
    expect(picks(p, east, 3)).toBe(true);
    answerOn(p, east, { kind: 'error', status: 500 }, 4); // 3 of 5
    expect(picks(p, east, 5)).toBe(false);
    expect(picks(p, east, 5_004)).toBe(true);
  });
});

describe('LiteLLM with the docs\' reliability settings (num_retries 3, allowed_fails 3, cooldown_time 30)', () => {
  it('a 429 with no Retry-After cools down for cooldown_time = 30 s; a Retry-After still wins', () => {
    const p = pod(liteLlmRecommendedStrategy());
    answerOn(p, east, throttled(), 0);
    expect(picks(p, east, 29_999)).toBe(false);
    expect(picks(p, east, 30_000)).toBe(true);
    const q = pod(liteLlmRecommendedStrategy());
    answerOn(q, east, throttled({ 'retry-after': '3' }), 0);
    expect(picks(q, east, 3_000)).toBe(true);
  });
});

describe('retryAfterSeconds (litellm.utils _get_retry_after_from_exception_header)', () => {
  it('reads integer seconds from retry-after only', () => {
    expect(retryAfterSeconds({ 'retry-after': '7' })).toBe(7);
    expect(retryAfterSeconds({ 'retry-after': '-1' })).toBeUndefined();
    expect(retryAfterSeconds({ 'retry-after-ms': '7000' })).toBeUndefined();
    expect(retryAfterSeconds({})).toBeUndefined();
  });
});
