import { seededRandom } from '@headroom/plan';

/**
 * Deterministic generated completions. Under one seed the same request always gets the same
 * text; each emitted piece counts as one output token, so streamed deltas and usage agree.
 */
const WORDS = [
  'the', 'quota', 'is', 'per', 'region', 'and', 'each', 'bucket', 'has', 'its', 'own', 'limit', 'so', 'we',
  'route', 'to', 'the', 'one', 'with', 'most', 'room', 'left', 'now', 'a', 'test', 'of', 'load', 'can',
  'wait', 'or', 'move', 'on', 'when', 'it', 'is', 'full', 'this', 'text', 'was', 'made', 'up', 'for', 'you',
];

/** Rough input-token estimate (~4 characters a token), floor 1: plausible, not a tokenizer. */
export { estimateTokens } from '@headroom/plan';

/** FNV-1a: a stable 32-bit hash for seeding. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export { seededRandom };

export interface Completion {
  /** One string per output token; joined they are the text. */
  readonly pieces: readonly string[];
  readonly text: string;
  readonly outputTokens: number;
  /** True when max_tokens cut the answer short. */
  readonly truncated: boolean;
}

export interface CompletionLength {
  readonly minTokens: number;
  readonly maxTokens: number;
}

export const DEFAULT_COMPLETION_LENGTH: CompletionLength = { minTokens: 8, maxTokens: 48 };

/** The completion for `prompt` under `seed`, cut at `maxTokens` as a real model would be. */
export function generateCompletion(seed: number, prompt: string, maxTokens: number, length = DEFAULT_COMPLETION_LENGTH): Completion {
  const random = seededRandom(hash32(`${seed}\u0000${prompt}`));
  const natural = length.minTokens + Math.floor(random() * (length.maxTokens - length.minTokens + 1));
  const count = Math.max(0, Math.min(natural, maxTokens));
  const pieces: string[] = [];
  for (let i = 0; i < count; i++) {
    const word = WORDS[Math.floor(random() * WORDS.length)]!;
    pieces.push(i === 0 ? word[0]!.toUpperCase() + word.slice(1) : ` ${word}`);
  }
  if (count > 0 && natural <= maxTokens) pieces[count - 1] += '.';
  return { pieces, text: pieces.join(''), outputTokens: count, truncated: natural > maxTokens };
}
