import type { LimitKind } from '@headroom/plan';

/** One target's row in the live view. */
export interface TargetRow {
  readonly id: string;
  readonly region: string;
  readonly headroomPct: number;
  /** Used against declared, per limit, over the trailing minute (the provider's own bucket). */
  readonly limits: readonly { readonly kind: LimitKind; readonly used: number; readonly limit: number }[];
  readonly upstream429s: number;
  readonly served: number;
  readonly breaker: string;
  readonly coolingDown: boolean;
}

export interface FamilyView {
  readonly id: string;
  readonly sent: number;
  readonly ok: number;
  readonly client429s: number;
  readonly retries: number;
  readonly targets: readonly TargetRow[];
}

export interface Frame {
  readonly elapsedMinutes: number;
  readonly totalMinutes: number;
  readonly families: readonly FamilyView[];
}

const BAR = 20;

function bar(pct: number): string {
  const filled = Math.max(0, Math.min(BAR, Math.round((pct / 100) * BAR)));
  return `${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}`;
}

const n = (v: number) => Math.round(v).toLocaleString('en-US');

/** Render one frame of the live view as plain text (no colours, so it also reads well in a log). */
export function renderFrame(frame: Frame): string {
  const lines = [`Headroom demo: emulated minute ${frame.elapsedMinutes.toFixed(1)} of ${frame.totalMinutes}`, ''];
  for (const family of frame.families) {
    lines.push(`${family.id}: ${n(family.sent)} sent, ${n(family.ok)} ok, ${n(family.client429s)} client 429s, ${n(family.retries)} retries`);
    const width = Math.max(...family.targets.map((t) => t.id.length));
    for (const t of family.targets) {
      const limits = t.limits.map((l) => `${l.kind.toUpperCase()} ${n(l.used)}/${n(l.limit)}`).join('  ');
      const state = [t.breaker !== 'closed' ? `breaker ${t.breaker}` : '', t.coolingDown ? 'cooling' : ''].filter(Boolean).join(', ');
      lines.push(`  ${t.id.padEnd(width)}  ${t.region.padEnd(14)} ${bar(t.headroomPct)} ${t.headroomPct.toFixed(0).padStart(3)}% headroom  ${limits}  429s ${n(t.upstream429s)}  served ${n(t.served)}${state ? `  (${state})` : ''}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

export interface FamilySummary {
  readonly id: string;
  readonly minutes: number;
  /** Real tokens (input + output) of successful responses per minute. */
  readonly servedTokensPerMinute: number;
  /** Quota tokens per minute as the providers count them (e.g. Bedrock's 5x output burn). */
  readonly quotaTokensPerMinute: number;
  readonly bestSingleQuota: number;
  readonly sumOfQuotas: number;
  readonly sent: number;
  readonly client429s: number;
}

export function renderSummary(families: readonly FamilySummary[]): string {
  const lines = ['Summary (per emulated minute):'];
  for (const f of families) {
    const rate = f.sent > 0 ? (100 * f.client429s) / f.sent : 0;
    lines.push(
      `  ${f.id}: served ${n(f.servedTokensPerMinute)} tokens/min; quota use ${n(f.quotaTokensPerMinute)} TPM = ${(f.quotaTokensPerMinute / f.bestSingleQuota).toFixed(2)}x the best single region (${n(f.bestSingleQuota)}), ${((100 * f.quotaTokensPerMinute) / f.sumOfQuotas).toFixed(0)}% of the sum of quotas (${n(f.sumOfQuotas)}); client 429s ${n(f.client429s)} of ${n(f.sent)} (${rate.toFixed(2)}%)`,
    );
  }
  return lines.join('\n');
}
