import { SEED_RULE, type FamilyDelta, type PlanDiff, type TargetChange } from '@headroom/plan';
import type { PlanSimulation } from '@headroom/simulator';
import { markdownTable, num, times } from './table';

/** Simulated multiplier per family, before and after the change (`headroom diff --simulate`). */
export type SimulatedDelta = Readonly<Record<string, { readonly before?: PlanSimulation; readonly after?: PlanSimulation }>>;

/** Marker the PR workflow uses to find and update its one sticky comment. */
export const COMMENT_MARKER = '<!-- headroom-diff -->';

const show = (v: unknown): string => (v === undefined ? '—' : typeof v === 'number' ? num(v) : Array.isArray(v) ? v.join(', ') : String(v));

function changeRows(change: TargetChange): string[][] {
  if (change.kind !== 'changed') {
    const cap = change.after ?? change.before!;
    const summary = `${cap.provider} ${cap.region}, ${num(cap.tokensPerMinute)} tokens/min`;
    return [[`\`${change.key}\``, change.kind, '', change.kind === 'removed' ? summary : '—', change.kind === 'added' ? summary : '—']];
  }
  return change.fields.map((f, i) => [i === 0 ? `\`${change.key}\`` : '', i === 0 ? 'changed' : '', `\`${f.field}\``, show(f.before), show(f.after)]);
}

function delta(after: number, before: number): string {
  if (before === 0) return after === 0 ? '0' : 'new';
  const pct = ((after - before) / before) * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;
}

function familyRow(f: FamilyDelta, simulated?: SimulatedDelta): string[] {
  const b = f.before;
  const a = f.after;
  const sim = simulated?.[f.familyId];
  const simCell = simulated ? [`${sim?.before ? times(sim.before.multiplier) : '—'} → ${sim?.after ? times(sim.after.multiplier) : '—'}`] : [];
  return [
    `\`${f.familyId}\``,
    b ? num(b.tokens.sum) : '—',
    a ? num(a.tokens.sum) : '—',
    delta(a?.tokens.sum ?? 0, b?.tokens.sum ?? 0),
    `${b ? times(b.tokens.multiplier) : '—'} → ${a ? times(a.tokens.multiplier) : '—'}`,
    `${b ? num(b.ruleOfThumb) : '—'} → ${a ? num(a.ruleOfThumb) : '—'}`,
    `${b ? num(b.served.sum) : '—'} → ${a ? num(a.served.sum) : '—'}`,
    ...simCell,
  ];
}

/** One chart per changed family: bars are the new per-target capacity, the line is the old. */
function mermaidChart(family: FamilyDelta): string {
  const before = family.before?.tokensByTarget ?? {};
  const after = family.after?.tokensByTarget ?? {};
  const labels = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const max = Math.max(1, ...labels.flatMap((l) => [before[l] ?? 0, after[l] ?? 0]));
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${family.familyId}: tokens/min per target (bar = after, line = before)"`,
    `  x-axis [${labels.map((l) => `"${l}"`).join(', ')}]`,
    `  y-axis "tokens/min" 0 --> ${Math.ceil(max * 1.1)}`,
    `  bar [${labels.map((l) => after[l] ?? 0).join(', ')}]`,
    `  line [${labels.map((l) => before[l] ?? 0).join(', ')}]`,
    '```',
  ].join('\n');
}

export function renderDiffMarkdown(diff: PlanDiff, context: { file: string; base: string }, simulated?: SimulatedDelta): string {
  const lines = [COMMENT_MARKER, `## Headroom plan diff: \`${diff.plan}\``, '', `Comparing \`${context.file}\` with \`${context.base}\`.`, ''];
  if (!diff.changed) return [...lines, 'No capacity, routing or naming change.'].join('\n');

  const riskCount = diff.risks.length;
  lines.push(`**${diff.targets.length} target change(s), ${riskCount} risk(s).**`, '');
  if (riskCount > 0) {
    lines.push('### Risks', '', ...diff.risks.map((r) => `- **${r.code}** \`${r.subject}\`: ${r.message}`), '');
  }
  if (diff.targets.length > 0) {
    lines.push('### Target changes', '', markdownTable(['target', 'change', 'field', 'before', 'after'], diff.targets.flatMap(changeRows)), '');
  }
  const touched = diff.families.filter((f) => diff.targets.some((t) => t.familyId === f.familyId) || f.fields.length > 0);
  if (touched.length > 0) {
    lines.push(
      '### Family totals',
      '',
      markdownTable(
        ['family', 'tokens/min before', 'after', 'change', 'multiplier vs best target', `${SEED_RULE.multiplier}x rule (tokens/min)`, 'served at reference request', ...(simulated ? ['simulated multiplier (Headroom router)'] : [])],
        touched.map((f) => familyRow(f, simulated)),
        [1, 2, 3],
      ),
      '',
    );
    const familyFields = touched.flatMap((f) => f.fields.map((c) => [`\`${f.familyId}\``, `\`${c.field}\``, show(c.before), show(c.after)]));
    if (familyFields.length > 0) lines.push(markdownTable(['family', 'field', 'before', 'after'], familyFields), '');
  }
  const charted = diff.families.filter((f) => diff.targets.some((t) => t.familyId === f.familyId));
  if (charted.length > 0) lines.push('### Capacity per target', '', ...charted.map(mermaidChart), '');
  if (diff.planFields.length > 0) {
    lines.push('### Plan settings', '', markdownTable(['field', 'before', 'after'], diff.planFields.map((c) => [`\`${c.field}\``, show(c.before), show(c.after)])), '');
  }
  lines.push('<sub>Rendered by `headroom diff`. Multipliers compare pooled declared capacity with the best single target.</sub>');
  return lines.join('\n');
}
