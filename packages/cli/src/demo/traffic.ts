/** Seeded traffic shaped like the seed's chatbot: Poisson arrivals, lognormal prompts, realistic max_tokens. */

export { seededRandom } from '@headroom/plan';

export interface ChatbotShape {
  /** Median prompt size in tokens. @default 800 */
  readonly medianPromptTokens: number;
  /** Lognormal sigma of the prompt size. @default 0.6 */
  readonly promptSigma: number;
  readonly maxTokens: number;
}

export const CHATBOT: ChatbotShape = { medianPromptTokens: 800, promptSigma: 0.6, maxTokens: 512 };

export interface PlannedRequest {
  /** Offset from the start, in emulated milliseconds. */
  readonly atMs: number;
  readonly promptTokens: number;
  readonly maxTokens: number;
}

function normal(random: () => number): number {
  const u = Math.max(random(), Number.EPSILON);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Arrivals at `perMinute` on average for `durationMs`, with chatbot-sized requests. */
export function poissonArrivals(perMinute: number, durationMs: number, shape: ChatbotShape, random: () => number): PlannedRequest[] {
  const requests: PlannedRequest[] = [];
  const meanGapMs = 60_000 / perMinute;
  for (let t = -Math.log(Math.max(random(), Number.EPSILON)) * meanGapMs; t < durationMs; t += -Math.log(Math.max(random(), Number.EPSILON)) * meanGapMs) {
    const promptTokens = Math.max(16, Math.round(shape.medianPromptTokens * Math.exp(shape.promptSigma * normal(random))));
    requests.push({ atMs: t, promptTokens, maxTokens: shape.maxTokens });
  }
  return requests;
}

/** A prompt of about `tokens` tokens (four characters each, as the router and emulator estimate). */
export function promptOf(tokens: number, index: number): string {
  const word = `request ${index} `;
  return word.repeat(Math.ceil((tokens * 4) / word.length)).slice(0, tokens * 4);
}
