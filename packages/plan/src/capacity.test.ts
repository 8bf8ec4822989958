import { capacityOf, PLANNING_RULE, targetCapacity } from './capacity';
import { admissionCharge, costModelOf, settledCharge } from './cost';
import { definePlan } from './define';
import { loadPlanFileOrThrow } from './load';
import { examplePlanInput } from './testing';
import { targetsOf } from './types';
import { resolve } from 'node:path';

describe('capacity of the example plan (infra/headroom.yaml)', () => {
  const { plan, warnings } = loadPlanFileOrThrow(resolve(__dirname, '../../../infra/headroom.yaml'));
  const families = Object.fromEntries(capacityOf(plan).map((f) => [f.familyId, f]));

  it('is valid without warnings', () => expect(warnings).toEqual([]));

  it("shows the 2.7x planning rule's worked example: 90,000 TPM theoretical beside the rule's 81,000", () => {
    const chatbot = families.chatbot!;
    expect(chatbot.tokens).toMatchObject({ sum: 90000, best: 30000, multiplier: 3 });
    expect(chatbot.ruleOfThumb.tokensPerMinute).toBe(81000);
    expect(chatbot.ruleOfThumb.multiplier).toBeCloseTo(PLANNING_RULE.multiplier, 10);
  });

  it('derives Azure RPM from TPM (10 RPM per 1,000 TPM for gpt-5.1)', () => {
    expect(families.gpt!.targets.find((t) => t.targetId === 'azure-eastus2')!.limits).toEqual({ tpm: 30000, rpm: 300 });
    expect(families.gpt!.limits.rpm!.sum).toBe(300 + 300 + 500);
  });

  it('sums every limit kind per family and names the best single target', () => {
    expect(families['claude-sonnet']!.limits).toMatchObject({
      rpm: { sum: 6000, best: 2000, bestTarget: 'anthropic' },
      tpm: { sum: 60000 },
      itpm: { sum: 90000 },
      otpm: { sum: 24000 },
    });
  });
});

describe('served throughput follows each provider cost model', () => {
  const refs = Object.fromEntries(targetsOf(definePlan(examplePlanInput())).map((r) => [r.key, r]));

  it("Bedrock's 5x output burn shrinks what 30,000 TPM serves", () => {
    // Reference request: 800 in + 300 out; settled Bedrock cost 800 + 5 x 300 = 2,300 quota tokens.
    const bedrock = targetCapacity(refs['claude/bedrock-us-east-1']!);
    expect(bedrock.servedRpm).toBe(Math.floor(30000 / 2300));
  });

  it('Azure holds max_tokens at admission and never settles', () => {
    const azure = targetCapacity(refs['gpt/azure-eastus2']!);
    expect(azure.servedRpm).toBe(Math.floor(30000 / (800 + 1024)));
  });

  it('Anthropic is bounded by the tighter of input and output limits', () => {
    const anthropic = targetCapacity(refs['claude/anthropic']!);
    expect(anthropic.servedRpm).toBe(Math.floor(Math.min(30000 / 800, 8000 / 300, 2000)));
  });
});

describe('cost models', () => {
  const request = { inputTokens: 1000, maxTokens: 500 };
  const usage = { inputTokens: 1000, outputTokens: 200 };
  const model = (provider: string) => costModelOf(targetsOf(definePlan(examplePlanInput())).find((r) => r.target.provider === provider)!.target);

  it.each([
    ['azure-openai', { rpm: 1, tpm: 1500 }, { rpm: 1, tpm: 1500 }],
    ['bedrock', { rpm: 1, tpm: 1500 }, { rpm: 1, tpm: 2000 }],
    ['anthropic', { rpm: 1, itpm: 1000, otpm: 500 }, { rpm: 1, itpm: 1000, otpm: 200 }],
    ['vertex', { rpm: 1, itpm: 1000, otpm: 500 }, { rpm: 1, itpm: 1000, otpm: 200 }],
    ['openai', { rpm: 1, tpm: 1000 }, { rpm: 1, tpm: 1000 }],
  ])('%s charges at admission and settles', (provider, admitted, settled) => {
    const cost = model(provider);
    expect(admissionCharge(cost, request)).toEqual(admitted);
    expect(settledCharge(cost, request, usage)).toEqual(settled);
  });
});
