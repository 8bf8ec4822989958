import { estimateTokens, generateCompletion } from './completion';

describe('generateCompletion', () => {
  it('is deterministic under a seed and differs across seeds', () => {
    const a = generateCompletion(7, 'hello', 100);
    expect(generateCompletion(7, 'hello', 100)).toEqual(a);
    expect(generateCompletion(8, 'hello', 100).text).not.toEqual(a.text);
  });

  it('counts one output token per piece and stops at max_tokens', () => {
    const full = generateCompletion(1, 'prompt', 1000);
    expect(full.outputTokens).toBe(full.pieces.length);
    expect(full.outputTokens).toBeGreaterThanOrEqual(8);
    expect(full.truncated).toBe(false);
    const cut = generateCompletion(1, 'prompt', 3);
    expect(cut).toMatchObject({ outputTokens: 3, truncated: true });
    expect(full.text.startsWith(cut.text)).toBe(true);
  });
});

describe('estimateTokens', () => {
  it('estimates about four characters a token, at least one', () => {
    expect(estimateTokens('')).toBe(1);
    expect(estimateTokens('a'.repeat(400))).toBe(100);
  });
});
