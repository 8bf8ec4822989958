import { PLANNING_RULE, type FamilyDelta, type FieldChange, type PlanDiff, type TargetChange } from '@headroom/plan';
import type { PlanSimulation } from '@headroom/simulator';
import { markdownTable, MISSING, num, percentChange, times } from './table';

/** Simulated multiplier per family, before and after the change (`headroom diff --simulate`). */
export type SimulatedDelta = Readonly<Record<string, { readonly before?: PlanSimulation; readonly after?: PlanSimulation }>>;

/** Marker the PR workflow uses to find and update its one sticky comment. */
export const COMMENT_MARKER = '<!-- headroom-diff -->';

const show = (v: unknown): string => (v === undefined ? MISSING : typeof v === 'number' ? num(v) : Array.isArray(v) ? v.join(', ') : String(v));
const code = (s: string): string => `\`${s}\``;
const count = (n: number, noun: string, plural = `${noun}s`): string => `${num(n)} ${n === 1 ? noun : plural}`;
const beforeAfter = (before: string | undefined, after: string | undefined): string => `${before ?? MISSING} → ${after ?? MISSING}`;

/** One line per family, net change first: `chatbot`: 90,000 → 60,000 tokens/min (−33.3%), multiplier 3.00x → 2.00x. */
function familyHeadline(family: FamilyDelta, simulated?: SimulatedDelta): string {
  const { before, after } = family;
  let line: string;
  if (!before) line = `${code(family.familyId)}: new, ${num(after!.tokens.sum)} tokens/min, multiplier ${times(after!.tokens.multiplier)}`;
  else if (!after) line = `${code(family.familyId)}: removed (was ${num(before.tokens.sum)} tokens/min, multiplier ${times(before.tokens.multiplier)})`;
  else {
    const change = before.tokens.sum === after.tokens.sum ? 'unchanged' : percentChange(after.tokens.sum, before.tokens.sum);
    line = `${code(family.familyId)}: ${num(before.tokens.sum)} → ${num(after.tokens.sum)} tokens/min (${change}), multiplier ${times(before.tokens.multiplier)} → ${times(after.tokens.multiplier)}`;
  }
  const sim = simulated?.[family.familyId];
  if (sim) line += `, simulated ${beforeAfter(sim.before && times(sim.before.multiplier), sim.after && times(sim.after.multiplier))}`;
  if (family.fields.length > 0) line += `; also ${family.fields.map((f) => code(f.field)).join(', ')}`;
  return `- ${line}`;
}

function removedTargetBullet(change: TargetChange): string {
  const cap = change.before!;
  return `- ${code(change.key)}: ${cap.provider} ${cap.region}, ${num(cap.tokensPerMinute)} tokens/min no longer routed`;
}

function changeRows(change: TargetChange): string[][] {
  if (change.kind !== 'changed') {
    const cap = change.after ?? change.before!;
    const summary = `${cap.provider} ${cap.region}, ${num(cap.tokensPerMinute)} tokens/min`;
    return [[code(change.key), change.kind, '', change.kind === 'removed' ? summary : MISSING, change.kind === 'added' ? summary : MISSING]];
  }
  return change.fields.map((f, i) => [i === 0 ? code(change.key) : '', i === 0 ? 'changed' : '', code(f.field), show(f.before), show(f.after)]);
}

function familyRow(f: FamilyDelta, simulated?: SimulatedDelta): string[] {
  const b = f.before;
  const a = f.after;
  const sim = simulated?.[f.familyId];
  const simCell = simulated ? [beforeAfter(sim?.before && times(sim.before.multiplier), sim?.after && times(sim.after.multiplier))] : [];
  return [
    code(f.familyId),
    b ? num(b.tokens.sum) : MISSING,
    a ? num(a.tokens.sum) : MISSING,
    percentChange(a?.tokens.sum ?? 0, b?.tokens.sum ?? 0),
    beforeAfter(b && times(b.tokens.multiplier), a && times(a.tokens.multiplier)),
    beforeAfter(b && num(b.ruleOfThumb), a && num(a.ruleOfThumb)),
    beforeAfter(b && num(b.served.sum), a && num(a.served.sum)),
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

/** A collapsed block; GitHub renders Markdown inside only with blank lines around it. */
function details(summary: string, body: string): string[] {
  return [`<details><summary>${summary}</summary>`, '', body, '', '</details>', ''];
}

const fieldBullet = (f: FieldChange): string => `- plan setting ${code(f.field)}: ${show(f.before)} → ${show(f.after)}`;

/**
 * The PR comment, readable in five seconds: counts, each family's net capacity change, the risks
 * most serious first, removed targets; then the tables and charts for whoever wants the detail.
 */
export function renderDiffMarkdown(diff: PlanDiff, context: { file: string; base: string }, simulated?: SimulatedDelta): string {
  const lines = [COMMENT_MARKER, `## Headroom plan diff: ${code(diff.plan)}`, ''];
  const comparing = `Comparing ${code(context.file)} with ${code(context.base)}`;
  if (!diff.changed) return [...lines, `${comparing}.`, '', 'No capacity, routing or naming change.'].join('\n');

  const touched = diff.families.filter((f) => f.fields.length > 0 || diff.targets.some((t) => t.familyId === f.familyId));
  const removed = diff.targets.filter((t) => t.kind === 'removed');
  const counts = [
    diff.risks.length === 0 ? '**no risks**' : `**${count(diff.risks.length, 'risk')}**`,
    ...(diff.targets.length > 0 ? [`${count(diff.targets.length, 'target change')}${removed.length > 0 ? ` (${num(removed.length)} removed)` : ''}`] : []),
    ...(touched.length > 0 ? [count(touched.length, 'family', 'families')] : []),
    ...(diff.planFields.length > 0 ? [count(diff.planFields.length, 'plan setting')] : []),
  ];
  lines.push(`${comparing}: ${counts.join(' · ')}`, '');
  lines.push(...touched.map((f) => familyHeadline(f, simulated)), ...diff.planFields.map(fieldBullet), '');

  if (diff.risks.length > 0) {
    lines.push('### Risks, most serious first', '', ...diff.risks.map((r, i) => `${i + 1}. **${r.code}** ${code(r.subject)}: ${r.message}`), '');
  }
  if (removed.length > 0) lines.push('### Removed targets', '', ...removed.map(removedTargetBullet), '');

  if (diff.targets.length > 0) {
    const table = markdownTable(['target', 'change', 'field', 'before', 'after'], diff.targets.flatMap(changeRows));
    lines.push(...details(`Target changes (${num(diff.targets.length)})`, table));
  }
  if (touched.length > 0) {
    const header = ['family', 'tokens/min before', 'after', 'change', 'multiplier vs best target', `${PLANNING_RULE.multiplier}x rule (tokens/min)`, 'served at reference request', ...(simulated ? ['simulated multiplier (Headroom router)'] : [])];
    const tables = [markdownTable(header, touched.map((f) => familyRow(f, simulated)), [1, 2, 3])];
    const familyFields = touched.flatMap((f) => f.fields.map((c) => [code(f.familyId), code(c.field), show(c.before), show(c.after)]));
    if (familyFields.length > 0) tables.push(markdownTable(['family', 'field', 'before', 'after'], familyFields));
    lines.push(...details('Family totals', tables.join('\n\n')));
  }
  const charted = diff.families.filter((f) => diff.targets.some((t) => t.familyId === f.familyId));
  if (charted.length > 0) lines.push('### Capacity per target', '', ...charted.flatMap((f) => [mermaidChart(f), '']));
  lines.push('<sub>Rendered by `headroom diff`. Multipliers compare pooled declared capacity with the best single target.</sub>');
  return lines.join('\n');
}
