import type { Clock } from './clock';

/** How long a model takes, in emulated time; the clock turns it into real waiting. */
export interface LatencyModel {
  /** Emulated ms from admission to the first token. @default 20 */
  readonly timeToFirstTokenMs: number;
  /** Output tokens per emulated second after the first. @default 1000 */
  readonly tokensPerSecond: number;
}

export const DEFAULT_LATENCY: LatencyModel = { timeToFirstTokenMs: 20, tokensPerSecond: 1000 };

export class InvalidLatencyError extends Error {
  override readonly name = 'InvalidLatencyError';
  constructor(readonly received: Partial<LatencyModel>) {
    super(`latency needs timeToFirstTokenMs >= 0 and tokensPerSecond > 0; received ${JSON.stringify(received)}`);
  }
}

export function resolveLatency(input: Partial<LatencyModel> = {}): LatencyModel {
  const model = { ...DEFAULT_LATENCY, ...input };
  if (!(model.timeToFirstTokenMs >= 0) || !(model.tokensPerSecond > 0)) throw new InvalidLatencyError(input);
  return model;
}

/** Emulated ms per output token, stretched by a slow fault's factor. */
export function perTokenMs(model: LatencyModel, slowFactor = 1): number {
  return (1000 / model.tokensPerSecond) * slowFactor;
}

/**
 * Waits out emulated time in real time, carrying sub-millisecond remainders so a fast or
 * compressed stream keeps its overall pace instead of rounding every token to 0 or 1 ms.
 */
export class Pacer {
  private owedRealMs = 0;

  constructor(
    private readonly clock: Pick<Clock, 'realDelayMs'>,
    private readonly sleep: (ms: number) => Promise<unknown>,
  ) {}

  async wait(emulatedMs: number): Promise<void> {
    this.owedRealMs += this.clock.realDelayMs(emulatedMs);
    if (this.owedRealMs < 1) return;
    const ms = this.owedRealMs;
    this.owedRealMs = 0;
    await this.sleep(ms);
  }
}
