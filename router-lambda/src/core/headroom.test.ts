import type { RouterTarget } from '@headroom/plan';
import { InvalidEstimateError, MissingLimitError } from './errors';
import { exampleConfig } from './fixtures';
import { admissionChargeFor, capacityFor, createHeadroom, exhaustHeadroom, headroomAfter, headroomMsUntilFits, headroomView, observeHeadroom, observeSharedUsage, reserveHeadroom, settledChargeFor, settleHeadroom } from './headroom';

const config = exampleConfig();
const bedrock = config.targets['claude/bedrock-us-east-1']!;
const vertex = config.targets['claude/vertex-europe-west1']!;
const azure = config.targets['gpt/azure-eastus2']!;

describe('headroom', () => {
  it('has one bucket per limit the provider enforces', () => {
    expect(Object.keys(createHeadroom(bedrock).buckets).sort()).toEqual(['rpm', 'tpm']);
    expect(Object.keys(createHeadroom(vertex).buckets).sort()).toEqual(['itpm', 'otpm', 'rpm']);
    expect(createHeadroom(azure).buckets.rpm?.limit).toBeGreaterThan(0); // derived by the plan from TPM
  });

  it('throws on a missing limit instead of treating it as unlimited', () => {
    const broken: RouterTarget = { ...vertex, limits: { rpm: 10, itpm: 100 } };
    expect(() => createHeadroom(broken)).toThrow(MissingLimitError);
    expect(() => createHeadroom({ ...vertex, limits: { rpm: 0, itpm: 1, otpm: 1 } })).toThrow(/rpm but its limit is 0/);
  });

  it('charges by the cost model and rejects estimates it cannot account for', () => {
    expect(admissionChargeFor(bedrock, { inputTokens: 100, maxTokens: 400 })).toEqual({ rpm: 1, tpm: 500 });
    expect(admissionChargeFor(vertex, { inputTokens: 100, maxTokens: 400 })).toEqual({ rpm: 1, itpm: 100, otpm: 400 });
    expect(() => admissionChargeFor(bedrock, { inputTokens: -1, maxTokens: 1 })).toThrow(InvalidEstimateError);
    expect(() => admissionChargeFor(bedrock, { inputTokens: 1, maxTokens: Number.NaN })).toThrow(InvalidEstimateError);
    expect(settledChargeFor(bedrock, { inputTokens: 100, maxTokens: 400 }, { inputTokens: 100, outputTokens: 50 })).toEqual({ rpm: 1, tpm: 350 });
  });

  it('scores headroom after the request as the lowest share of any limit', () => {
    const h = createHeadroom(vertex);
    expect(headroomAfter(h, { rpm: 1, itpm: 3_000, otpm: 4_000 }, 0)).toBeCloseTo(0.5); // otpm 4000/8000 left
    expect(headroomAfter(h, { rpm: 1, itpm: 3_000, otpm: 8_001 }, 0)).toBeUndefined();
    expect(capacityFor(h, { rpm: 1, itpm: 3_000, otpm: 4_000 })).toBe(2);
  });

  it('reserves, then settles to the final charge and reports the delta', () => {
    let h = createHeadroom(bedrock);
    const reserved = { rpm: 1, tpm: 5_000 };
    h = reserveHeadroom(h, reserved, 0);
    expect(headroomView(h, 0).buckets.tpm?.remaining).toBe(25_000);
    const settled = settleHeadroom(h, reserved, { rpm: 1, tpm: 1_200 }, 2_000);
    expect(settled.delta).toEqual({ tpm: -3_800 });
    // 25,000 left + 1,000 refilled in 2 s (30,000/min) + 3,800 refunded, capped at the limit.
    expect(headroomView(settled.state, 2_000).buckets.tpm?.remaining).toBe(29_800);
  });

  it('applies remaining observations and shared snapshots to the right buckets', () => {
    let h = observeHeadroom(createHeadroom(vertex), [
      { kind: 'remaining', bucket: 'otpm', remaining: 800, observedAt: 0 },
      { kind: 'remaining', bucket: 'tpm', remaining: 0, observedAt: 0 }, // not a bucket of this target
      { kind: 'cooldown', until: 5_000, source: 'retry-after', observedAt: 0 },
    ]);
    expect(headroomView(h, 0).buckets.otpm?.remaining).toBe(800);
    expect(headroomView(h, 0).headroomPct).toBe(10);
    h = observeSharedUsage(h, { windows: [{ start: 0, charge: { itpm: 27_000 } }], used: { itpm: 27_000 }, readAt: 0 });
    expect(headroomView(h, 0).buckets.itpm).toEqual({ limit: 30_000, remaining: 3_000, own: 30_000, shared: 3_000 });
  });

  it('a throttle with no headers zeroes the buckets the request charged, which then refill', () => {
    const h = exhaustHeadroom(createHeadroom(bedrock), { rpm: 1, tpm: 3_000 }, 0);
    expect(headroomAfter(h, { rpm: 1, tpm: 3_000 }, 0)).toBeUndefined();
    expect(headroomMsUntilFits(h, { rpm: 1, tpm: 3_000 }, 0)).toBe(6_000); // 3000 / (30000 per min)
  });
});
