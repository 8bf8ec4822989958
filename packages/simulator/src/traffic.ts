import type { Geo } from '@headroom/plan';
import type { SimRequest } from './model';
import { Random } from './random';

/** How the arrival rate varies over the run, as a multiple of the scenario's nominal rate. */
export type Shape =
  | { readonly kind: 'constant' }
  /** On/off bursts, mean-preserving when onLevel*on + offLevel*off = on + off. */
  | { readonly kind: 'bursts'; readonly onSec: number; readonly offSec: number; readonly onLevel: number; readonly offLevel: number }
  /** A diurnal ramp: low at the start and end, 1.0 at the peak in the middle (the nominal rate is the peak). */
  | { readonly kind: 'diurnal'; readonly low: number };

export interface TrafficModel {
  /** Prompt tokens: lognormal. @default median 800, sigma 0.8 */
  readonly promptMedian?: number;
  readonly promptSigma?: number;
  /** Output tokens actually generated: lognormal, capped at max_tokens. @default median 250, sigma 0.6 (mean ~300) */
  readonly outputMedian?: number;
  readonly outputSigma?: number;
  /** `max_tokens` the client sends. @default 1024 */
  readonly maxTokens?: number;
  /** Share of requests pinned to a geography (x-headroom-residency). */
  readonly pinned?: { readonly share: number; readonly geo: Geo };
  /** @default constant */
  readonly shape?: Shape;
  /**
   * A share of requests with long prompts, uniform in [minTokens, maxTokens] (the ordinary prompts'
   * 16k cap does not apply to them). Absent: no draw is made, so other streams are unchanged.
   */
  readonly long?: { readonly share: number; readonly minTokens: number; readonly maxTokens: number };
}

/** Ordinary prompts are capped here (a lognormal tail beyond it is not a chatbot's prompt). */
export const ORDINARY_PROMPT_CAP = 16_000;

export function shapeAt(shape: Shape, tMs: number, durationMs: number): number {
  switch (shape.kind) {
    case 'constant': return 1;
    case 'bursts': {
      const period = (shape.onSec + shape.offSec) * 1000;
      return tMs % period < shape.onSec * 1000 ? shape.onLevel : shape.offLevel;
    }
    case 'diurnal': return shape.low + (1 - shape.low) * Math.sin((Math.PI * tMs) / durationMs) ** 2;
  }
}

/** One generated call before it is scaled to a rate: its operational time and its sizes. */
export interface BaseArrival {
  /** Arrival in operational time (a unit-rate Poisson process per nominal request per minute). */
  readonly u: number;
  readonly request: Omit<SimRequest, 'logical' | 'family'>;
}

/**
 * A traffic stream that can be replayed at any rate with common random numbers: the same requests
 * in the same order, only their arrival times stretched (time-rescaling of a non-homogeneous
 * Poisson process). So the 429 rate is close to monotone in the rate, which bisection needs.
 */
export class TrafficStream {
  private readonly base: BaseArrival[] = [];
  private readonly cumulative: Float64Array;
  private readonly stepMs = 1000;
  private readonly random: Random;
  private u = 0;

  constructor(private readonly model: TrafficModel, readonly durationMs: number, seed: number) {
    this.random = new Random(seed);
    const shape = model.shape ?? { kind: 'constant' };
    const steps = Math.ceil(durationMs / this.stepMs);
    this.cumulative = new Float64Array(steps + 1);
    for (let i = 0; i < steps; i++) this.cumulative[i + 1] = this.cumulative[i]! + (shapeAt(shape, i * this.stepMs, durationMs) * this.stepMs) / 60_000;
  }

  /** Operational time at the end of the run for a nominal rate of one request per minute. */
  get totalWork(): number {
    return this.cumulative[this.cumulative.length - 1]!;
  }

  private extend(limit: number): void {
    const r = this.random;
    const m = this.model;
    while (this.u <= limit) {
      this.u += r.exponential(1);
      const maxTokens = m.maxTokens ?? 1024;
      let inputTokens = Math.max(1, Math.min(ORDINARY_PROMPT_CAP, Math.round(r.lognormal(m.promptMedian ?? 800, m.promptSigma ?? 0.8))));
      const outputTokens = Math.max(1, Math.min(maxTokens, Math.round(r.lognormal(m.outputMedian ?? 250, m.outputSigma ?? 0.6))));
      const pinned = m.pinned && r.uniform() < m.pinned.share ? m.pinned.geo : undefined;
      if (m.long && r.uniform() < m.long.share) inputTokens = Math.round(m.long.minTokens + r.uniform() * (m.long.maxTokens - m.long.minTokens));
      this.base.push({ u: this.u, request: { inputTokens, maxTokens, outputTokens, ...(pinned ? { residency: pinned } : {}) } });
    }
  }

  /** Arrival times (ms) and requests at `ratePerMin` nominal requests per minute. */
  at(ratePerMin: number): { readonly t: number; readonly request: BaseArrival['request'] }[] {
    const limit = this.totalWork * ratePerMin;
    this.extend(limit);
    const out: { t: number; request: BaseArrival['request'] }[] = [];
    let step = 0;
    for (const arrival of this.base) {
      const w = arrival.u / ratePerMin;
      if (arrival.u > limit) break;
      while (step < this.cumulative.length - 2 && this.cumulative[step + 1]! < w) step++;
      const lo = this.cumulative[step]!;
      const hi = this.cumulative[step + 1]!;
      const t = (step + (hi > lo ? (w - lo) / (hi - lo) : 0)) * this.stepMs;
      out.push({ t, request: arrival.request });
    }
    return out;
  }

  /** Mean of a per-request quantity over the first `n` generated requests (for unit conversions). */
  mean(fn: (request: BaseArrival['request']) => number, n = 20_000): number {
    while (this.base.length < n) this.extend(this.u + 1000);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += fn(this.base[i]!.request);
    return sum / n;
  }
}
