import { CHATBOT, poissonArrivals, promptOf, seededRandom } from './traffic';

describe('demo traffic', () => {
  it('is reproducible under a seed and close to the requested rate', () => {
    const a = poissonArrivals(600, 600_000, CHATBOT, seededRandom(7));
    const b = poissonArrivals(600, 600_000, CHATBOT, seededRandom(7));
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(5400);
    expect(a.length).toBeLessThan(6600);
    expect(a.every((r, i) => i === 0 || r.atMs >= a[i - 1]!.atMs)).toBe(true);
  });

  it('draws lognormal prompts around the median', () => {
    const sizes = poissonArrivals(6000, 60_000, CHATBOT, seededRandom(1)).map((r) => r.promptTokens).sort((x, y) => x - y);
    const median = sizes[Math.floor(sizes.length / 2)]!;
    expect(median).toBeGreaterThan(720);
    expect(median).toBeLessThan(880);
  });

  it('builds prompts of the estimated size', () => {
    expect(promptOf(100, 3)).toHaveLength(400);
  });
});
