import { decisionCost, decisionCostTable, familyOf } from './decision-cost';

// The benchmark's timings are wall-clock figures and never asserted; this checks what it measures.
describe('decisionCost', () => {
  it('builds one family of N distinct targets, each on its own bucket', () => {
    const config = familyOf(30);
    const keys = config.families.chatbot!.targets;
    expect(new Set(keys).size).toBe(30);
    expect(keys.every((key) => config.targets[key]!.key === key && config.targets[key]!.quota === key)).toBe(true);
  });

  it('measures the full path: every decision places, with and without shared evidence, at each size', () => {
    const rows = decisionCost({ targetCounts: [3, 30], batches: 1, decisionsPerBatch: 50 });
    expect(rows.map((r) => [r.targets, r.shared, r.placedShare])).toEqual([[3, false, 1], [3, true, 1], [30, false, 1], [30, true, 1]]);
    expect(rows.every((r) => r.microsPerDecision > 0)).toBe(true);
    expect(decisionCostTable(rows).split('\n')).toHaveLength(4);
  });
});
