import fc from 'fast-check';
import { canonicalJson } from './canonical';
import { definePlan } from './define';
import {
  alarmName, azureAccountName, azureDeploymentName, metricDimensions, routerRoleName, stateTableName, vertexQuotaPreferenceId,
} from './naming';
import { stringify } from 'yaml';
import { parsePlan } from './load';
import { compileRouterConfig, resolveRouting } from './router-config';
import { examplePlanInput } from './testing';
import { targetsOf, type Plan } from './types';

/** Every derived name of a plan, keyed by what it names. */
function derivedNames(plan: Plan): Record<string, unknown> {
  const names: Record<string, unknown> = { role: routerRoleName(plan), table: stateTableName(plan) };
  for (const ref of targetsOf(plan)) {
    names[`${ref.key}/alarm`] = alarmName(plan, ref.familyId, ref.targetId, 'throttle-rate');
    names[`${ref.key}/dimensions`] = metricDimensions(ref);
    if (ref.target.provider === 'azure-openai') {
      names[`${ref.key}/account`] = azureAccountName(plan, ref.target.region);
      names[`${ref.key}/deployment`] = azureDeploymentName(ref.familyId, ref.targetId);
    }
    if (ref.target.provider === 'vertex') names[`${ref.key}/quota`] = vertexQuotaPreferenceId(plan, ref.familyId, ref.targetId, 'rpm');
  }
  return names;
}

/** Rebuild an object with its keys inserted in the given order (a permutation of the original). */
function reorder<T extends object>(value: T, order: readonly number[]): T {
  const entries = Object.entries(value);
  const ranked = entries.map((e, i) => ({ e, rank: order[i % order.length]! * 1000 + i }));
  return Object.fromEntries(ranked.sort((a, b) => a.rank - b.rank).map((r) => r.e)) as T;
}

describe('RouterConfig and naming are independent of key order', () => {
  const reference = definePlan(examplePlanInput());
  const referenceConfig = canonicalJson(compileRouterConfig(reference));
  const referenceNames = canonicalJson(derivedNames(reference));

  it('holds for any order of families and targets', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(50), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(50), { minLength: 1, maxLength: 8 }), (familyOrder, targetOrder) => {
        const input = examplePlanInput();
        const families = Object.fromEntries(
          Object.entries(input.families).map(([id, family]) => [id, { ...family, targets: reorder(family.targets, targetOrder) }]),
        );
        // The azure block's keys too: account names hang on its subscription, never on positions.
        const shuffled = definePlan({ ...input, azure: reorder(input.azure!, familyOrder), families: reorder(families, familyOrder) });
        expect(canonicalJson(compileRouterConfig(shuffled))).toBe(referenceConfig);
        expect(canonicalJson(derivedNames(shuffled))).toBe(referenceNames);
      }),
      { numRuns: 60 },
    );
  });

  it('the serialised JSON itself is byte-identical, not just equal after sorting', () => {
    const input = examplePlanInput();
    const reversed = definePlan({ ...input, families: Object.fromEntries(Object.entries(input.families).reverse()) });
    expect(JSON.stringify(compileRouterConfig(reversed))).toBe(JSON.stringify(compileRouterConfig(reference)));
  });
});

describe('compileRouterConfig', () => {
  const config = compileRouterConfig(definePlan(examplePlanInput()));

  it('carries each target endpoint, auth, limits and cost model', () => {
    expect(config.targets['gpt/azure-eastus2']).toMatchObject({
      provider: 'azure-openai',
      endpoint: { baseUrl: 'https://support-bot-eastus2-11e594.openai.azure.com', path: '/openai/deployments/gpt-azure-eastus2', apiVersion: '2024-10-21' },
      auth: { mode: 'entra-federated', tenant: '00000000-0000-4000-8000-000000000002' },
      limits: { tpm: 30000, rpm: 300 },
      cost: { kind: 'prompt-plus-max-tokens' },
      residency: { scope: 'global' },
      rateLimitHeaders: 'azure-openai',
    });
    expect(config.targets['claude/bedrock-us-east-1']).toMatchObject({
      upstreamModel: 'us.anthropic.claude-sonnet-4-6',
      endpoint: { baseUrl: 'https://bedrock-runtime.us-east-1.amazonaws.com', path: '/model/us.anthropic.claude-sonnet-4-6' },
      auth: { mode: 'sigv4', region: 'us-east-1' },
      cost: { kind: 'reserve-then-burn', outputBurn: 5 },
      residency: { scope: 'geo', geo: 'us' },
      rateLimitHeaders: 'none',
    });
    expect(config.targets['claude/vertex-europe-west1']).toMatchObject({
      endpoint: { baseUrl: 'https://europe-west1-aiplatform.googleapis.com', path: '/v1/projects/acme-ml/locations/europe-west1/publishers/anthropic/models/claude-sonnet-4-6' },
      auth: { mode: 'google-federated', project: 'acme-ml', projectNumber: '123456789012', pool: 'support-bot-router' },
      residency: { scope: 'region', geo: 'eu', region: 'europe-west1' },
    });
    expect(config.targets['claude/anthropic']).toMatchObject({ auth: { mode: 'api-key', header: 'x-api-key', secret: 'support-bot/anthropic-api-key' } });
  });

  it('lists families with sorted aliases, pins and target keys, and routing defaults', () => {
    expect(config.families.claude).toEqual({
      api: 'anthropic', aliases: ['claude-sonnet-4-6'], pins: ['eu'],
      targets: ['claude/anthropic', 'claude/bedrock-eu-west-1', 'claude/bedrock-us-east-1', 'claude/vertex-europe-west1'],
    });
    expect(config.routing).toEqual({
      retryBudget: 0.2, timeouts: { headersMs: 10_000, idleMs: 60_000, totalMs: 600_000 }, maxCooldownMs: 300_000, hold: { maxMs: 2_000, streaming: false },
    });
    expect(config.schema).toBe('headroom.router-config/v1');
    expect(config.planDigest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a limit change changes the digest and the target limits, nothing else', () => {
    const input = examplePlanInput();
    (input.families.gpt!.targets['openai']!.limits as { tpm: number }).tpm = 40000;
    const changed = compileRouterConfig(definePlan(input));
    expect(changed.planDigest).not.toBe(config.planDigest);
    expect(changed.targets['gpt/openai']!.limits).toEqual({ rpm: 500, tpm: 40000 });
    expect({ ...changed, planDigest: '', targets: { ...changed.targets, 'gpt/openai': null } }).toEqual({ ...config, planDigest: '', targets: { ...config.targets, 'gpt/openai': null } });
  });
});

describe('routing', () => {
  it('fills each omitted timeout with its default, never longer than an explicit total', () => {
    expect(resolveRouting({ timeouts: { totalMs: 5_000 } }).timeouts).toEqual({ headersMs: 5_000, idleMs: 5_000, totalMs: 5_000 });
    expect(resolveRouting({ timeouts: { headersMs: 3_000 }, maxCooldownMs: 60_000 })).toEqual({
      retryBudget: 0.2, timeouts: { headersMs: 3_000, idleMs: 60_000, totalMs: 600_000 }, maxCooldownMs: 60_000, hold: { maxMs: 2_000, streaming: false },
    });
  });

  it('holds non-streaming requests up to 2 s by default; each hold field can be set alone, and maxMs 0 turns holding off', () => {
    expect(resolveRouting(undefined).hold).toEqual({ maxMs: 2_000, streaming: false });
    expect(resolveRouting({ hold: { streaming: true } }).hold).toEqual({ maxMs: 2_000, streaming: true });
    expect(resolveRouting({ hold: { maxMs: 0 } }).hold).toEqual({ maxMs: 0, streaming: false });
    expect(compileRouterConfig(definePlan({ ...examplePlanInput(), routing: { hold: { maxMs: 5_000, streaming: true } } })).routing.hold)
      .toEqual({ maxMs: 5_000, streaming: true });
  });
});

describe('routing.hold in the plan', () => {
  const problemsOf = (hold: unknown) => {
    const result = parsePlan(stringify({ ...examplePlanInput(), routing: { hold } }), 'headroom.yaml');
    return result.ok ? [] : result.problems;
  };

  // The official SDKs honour a retry-after only under 60 s (openai 6.x client.js retryRequest), so 60,000 ms is the longest hold.
  it('accepts 0 (off) to 60000 ms and streaming true or false', () => {
    for (const hold of [{ maxMs: 0 }, { maxMs: 60_000 }, { maxMs: 1, streaming: true }, { streaming: false }, {}]) expect(problemsOf(hold)).toEqual([]);
  });

  it.each([
    ['a hold longer than a minute', { maxMs: 60_001 }, 'schema/too-big', ['routing', 'hold', 'maxMs'], '60001', /<= 60000/],
    ['a negative hold', { maxMs: -1 }, 'schema/too-small', ['routing', 'hold', 'maxMs'], '-1', />= 0/],
    ['a fractional hold', { maxMs: 1.5 }, 'schema/wrong-type', ['routing', 'hold', 'maxMs'], '1.5', /whole number/],
    ['streaming as text', { streaming: 'no' }, 'schema/wrong-type', ['routing', 'hold', 'streaming'], '"no"', /boolean/],
    ['a misspelt field', { maxWaitMs: 500 }, 'schema/unknown-field', ['routing', 'hold', 'maxWaitMs'], '500', /maxMs/],
  ])('%s is an error naming the field, the value, what is allowed and the fix', (_name, hold, code, path, received, fixOrAllowed) => {
    const problems = problemsOf(hold);
    expect(problems).toHaveLength(1);
    const [problem] = problems;
    expect(problem).toMatchObject({ code, path, received, location: { file: 'headroom.yaml' } });
    expect(`${problem!.allowed} ${problem!.fix}`).toMatch(fixOrAllowed);
  });

  it('the range names both bounds and that 0 turns holding off', () => {
    const [problem] = problemsOf({ maxMs: 90_000 });
    expect(problem!.allowed).toMatch(/0-60000; 0 turns holding off/);
  });

  it('the retired routing.timeoutMs is an error whose fix names the fields that replaced it', () => {
    const result = parsePlan(stringify({ ...examplePlanInput(), routing: { timeoutMs: 60000 } }), 'headroom.yaml');
    if (result.ok) throw new Error('expected the plan to be invalid');
    const [problem] = result.problems;
    expect(problem).toMatchObject({ code: 'schema/retired-field', path: ['routing', 'timeoutMs'], received: '60000', location: { file: 'headroom.yaml' } });
    for (const field of ['headersMs', 'idleMs', 'totalMs']) expect(problem!.fix).toContain(`routing.timeouts.${field}`);
  });
});
