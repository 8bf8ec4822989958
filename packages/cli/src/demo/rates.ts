import type { Charge, LimitKind } from '@headroom/plan';

const MINUTE_MS = 60_000;

interface Sample {
  readonly atMs: number;
  readonly charged: Readonly<Record<string, Charge>>;
}

/**
 * Per-target use over the trailing emulated minute, from samples of the cumulative charge each
 * provider counted. A bucket's deficit reads near zero while traffic flows under quota; this is
 * the rate a provider's console would show.
 */
export class TrailingRates {
  private samples: Sample[] = [];

  record(atMs: number, charged: Readonly<Record<string, Charge>>): void {
    this.samples.push({ atMs, charged });
    // Keep one sample at or before the window's start, so the window is always a full minute once it can be.
    while (this.samples.length > 2 && this.samples[1]!.atMs <= atMs - MINUTE_MS) this.samples.shift();
  }

  /** Charged per minute over the trailing minute (or since the first sample, early on). */
  perMinute(target: string, kind: LimitKind): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.atMs <= first.atMs) return 0;
    const used = (last.charged[target]?.[kind] ?? 0) - (first.charged[target]?.[kind] ?? 0);
    return (used * MINUTE_MS) / (last.atMs - first.atMs);
  }
}
