import type { LimitKind } from '@headroom/plan';
import type { PacingReport } from './pacing';

/** The live view never grows wider than a 120-column terminal. */
export const VIEW_WIDTH = 120;

/** One limit of one target: the rate used over the trailing emulated minute against the declared rate. */
export interface LimitUse {
  readonly kind: LimitKind;
  readonly usedPerMinute: number;
  readonly declaredPerMinute: number;
}

/** One target's row in the live view. */
export interface TargetRow {
  readonly id: string;
  readonly region: string;
  readonly headroomPct: number;
  readonly limits: readonly LimitUse[];
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
  /** Emulated minutes of the schedule offered so far (host lag excluded). */
  readonly offeredMinutes: number;
  readonly totalMinutes: number;
  /** "60x", or "virtual" when the clock is driven by hand. */
  readonly clock: string;
  readonly draining: boolean;
  readonly families: readonly FamilyView[];
}

const BAR = 8;
const n = (v: number) => Math.round(v).toLocaleString('en-US');
/** Three significant digits so a row fits: 950, 6.7k, 30.0k, 400k, 1.20M. */
function compact(v: number): string {
  const abs = Math.abs(v);
  if (abs >= 1_000_000) return `${(v / 1_000_000).toFixed(2)}M`;
  if (abs >= 100_000) return `${(v / 1_000).toFixed(0)}k`;
  if (abs >= 1_000) return `${(v / 1_000).toFixed(1)}k`;
  return n(v);
}
/** Exact counts while they fit their column, compact beyond. */
const count = (v: number, width: number) => (n(v).length <= width ? n(v) : compact(v));

function fit(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`;
}

function headroomCell(t: TargetRow): string {
  if (t.breaker !== 'closed') return fit(t.breaker === 'open' ? 'breaker open' : t.breaker, BAR + 5);
  if (t.coolingDown) return fit('cooling down', BAR + 5);
  const filled = Math.max(0, Math.min(BAR, Math.round((t.headroomPct / 100) * BAR)));
  return `${'█'.repeat(filled)}${'░'.repeat(BAR - filled)} ${`${t.headroomPct.toFixed(0)}%`.padStart(4)}`;
}

const use = (l: LimitUse) => (l.kind === 'rpm' && l.declaredPerMinute < 10_000 ? `${n(l.usedPerMinute)}/${n(l.declaredPerMinute)}` : `${compact(l.usedPerMinute)}/${compact(l.declaredPerMinute)}`);

function tokenCell(t: TargetRow): string {
  return t.limits.filter((l) => l.kind !== 'rpm').map((l) => `${l.kind.toUpperCase()} ${use(l)}`).join(' ');
}

/** Render one frame of the live view as plain text (no colours, so it also reads well in a log). */
export function renderFrame(frame: Frame): string {
  const progress = frame.draining
    ? `all ${frame.totalMinutes} emulated minutes offered, finishing the answers in flight`
    : `emulated minute ${Math.min(frame.offeredMinutes, frame.totalMinutes).toFixed(1)} of ${frame.totalMinutes} (Ctrl-C: the summary so far)`;
  const lines = [`Headroom demo, ${frame.clock} clock: ${progress}`, ''];
  for (const family of frame.families) {
    lines.push(`${family.id}: ${n(family.sent)} sent, ${n(family.ok)} ok, ${n(family.client429s)} client 429s, ${n(family.retries)} retries`);
    const idWidth = Math.min(20, Math.max(6, ...family.targets.map((t) => t.id.length)));
    const regionWidth = Math.min(18, Math.max(6, ...family.targets.map((t) => t.region.length)));
    const rows = family.targets.map((t) => {
      const rpm = t.limits.find((l) => l.kind === 'rpm');
      return [fit(t.id, idWidth), fit(t.region, regionWidth), headroomCell(t), (rpm ? use(rpm) : '—').padStart(11), fit(tokenCell(t), 31), count(t.upstream429s, 6).padStart(6), count(t.served, 7).padStart(7)];
    });
    const header = [fit('target', idWidth), fit('region', regionWidth), fit('headroom', BAR + 5), 'RPM'.padStart(11), fit('tokens/min', 31), '429s'.padStart(6), 'served'.padStart(7)];
    for (const cells of [header, ...rows]) lines.push(`  ${cells.join('  ')}`.trimEnd());
    lines.push('');
  }
  lines.push('RPM and tokens/min: used over the trailing emulated minute / declared. 429s: refusals by the provider.');
  return lines.map((line) => (line.length > VIEW_WIDTH ? `${line.slice(0, VIEW_WIDTH - 1)}…` : line)).join('\n');
}

export interface FamilySummary {
  readonly id: string;
  /** Emulated minutes over which traffic was offered (host lag and the final drain excluded). */
  readonly minutes: number;
  /** Real tokens (input + output) of successful responses per minute. */
  readonly servedTokensPerMinute: number;
  /** Quota tokens per minute as the providers count them (e.g. Bedrock's output burn). */
  readonly quotaTokensPerMinute: number;
  readonly bestSingleQuota: number;
  readonly sumOfQuotas: number;
  readonly sent: number;
  readonly client429s: number;
}

export interface DemoSummary {
  readonly families: readonly FamilySummary[];
  readonly pacing: PacingReport;
  /** Ctrl-C stopped the traffic before the schedule ended. */
  readonly interrupted: boolean;
  /** One line per cost model in the plan that makes quota use differ from tokens served. */
  readonly quotaNotes: readonly string[];
}

export function renderSummary(summary: DemoSummary): string {
  const { pacing } = summary;
  const over = `${pacing.offeredMinutes.toFixed(1)} emulated minutes of offered traffic${summary.interrupted ? ' (stopped early by Ctrl-C)' : ''}`;
  const lines = wrap(`Summary over ${over}, per emulated minute (the drain after the last request excluded):`);
  for (const f of summary.families) {
    const rate = f.sent > 0 ? (100 * f.client429s) / f.sent : 0;
    lines.push(
      `  ${f.id}: served ${n(f.servedTokensPerMinute)} tokens/min; quota use ${n(f.quotaTokensPerMinute)} TPM = ${(f.quotaTokensPerMinute / f.bestSingleQuota).toFixed(2)}x the best single region (${n(f.bestSingleQuota)}),`,
      `         ${((100 * f.quotaTokensPerMinute) / f.sumOfQuotas).toFixed(0)}% of the sum of quotas (${n(f.sumOfQuotas)}); client 429s ${n(f.client429s)} of ${n(f.sent)} (${rate.toFixed(2)}%)`,
    );
  }
  if (summary.quotaNotes.length > 0) lines.push(...wrap(`Quota use counts what each provider charges, so it can exceed tokens served: ${summary.quotaNotes.join('; ')}.`));
  lines.push(...pacingLines(pacing).flatMap((line) => wrap(line)));
  return lines.join('\n');
}

/** Break a sentence at spaces so it fits the view's width, continuation lines indented. */
function wrap(text: string, width = VIEW_WIDTH, indent = '  '): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = `${indent}${word}`;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

function pacingLines(p: PacingReport): string[] {
  if (p.clock === 'virtual') return ['Timing: virtual clock, driven by hand; these numbers do not depend on the machine\'s speed.'];
  if (p.lateSends === 0) return [`Timing: the host kept up with the ${p.startTimeScale}x clock (at most ${(p.maxLateMs / 1000).toFixed(1)} emulated s behind schedule).`];
  const slowed = p.slowdowns.map((s) => `${s.from}x to ${s.to}x at minute ${(s.atOfferedMs / 60_000).toFixed(1)}`).join(', ');
  const lines = [
    `Timing: the host fell behind the emulated clock: ${n(p.lateSends)} requests went out up to ${(p.maxLateMs / 1000).toFixed(1)} emulated s late; those ${(p.excludedMs / 1000).toFixed(1)} s were left out of the measured interval${slowed ? `, and the clock was slowed (${slowed})` : ''}.`,
  ];
  if (!p.reliable) {
    lines.push(`UNRELIABLE: lag took ${(100 * p.excludedShare).toFixed(0)}% of the run, so quotas refilled while no traffic was offered and the multipliers above overstate.`);
    lines.push('hint: rerun with --virtual-time (the same numbers on any machine) or a lower --time-scale.');
  }
  return lines;
}
