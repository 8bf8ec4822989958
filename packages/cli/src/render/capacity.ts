import { CATALOG_VERSION, planCapacityOf, PLANNING_RULE, quotaBucketsOf, REFERENCE_REQUEST, type FamilyCapacity, type Limits, type Plan } from '@headroom/plan';
import { describeSimulation, type Simulations } from '../simulate';
import { markdownTable, num, textTable, times } from './table';

export type Format = 'text' | 'markdown' | 'json';

const HEADER = ['target', 'provider', 'region', 'residency', 'RPM', 'TPM', 'ITPM', 'OTPM', 'served TPM*'];

function rows(family: FamilyCapacity): string[][] {
  const body = family.targets.map((t) => [
    t.targetId + (t.advisory ? ' (advisory)' : '') + (t.quota !== t.key ? ` [quota ${t.quota}]` : ''), t.provider, t.region, t.residency,
    num(t.limits.rpm), num(t.limits.tpm), num(t.limits.itpm), num(t.limits.otpm), num(t.servedTokensPerMinute),
  ]);
  const l = family.limits;
  body.push(['total', '', '', '', num(l.rpm?.sum), num(l.tpm?.sum), num(l.itpm?.sum), num(l.otpm?.sum), num(family.served.sum)]);
  return body;
}

const limitsText = (limits: Limits) => (['rpm', 'tpm', 'itpm', 'otpm'] as const).filter((k) => limits[k] !== undefined).map((k) => `${k.toUpperCase()} ${num(limits[k])}`).join(', ');

/** One line per shared quota the family draws on: it is counted once, whoever else draws on it. */
function sharedQuotaLines(plan: Plan, family: FamilyCapacity): string[] {
  const buckets = new Map(quotaBucketsOf(plan).filter((b) => b.shared).map((b) => [b.id, b]));
  return family.quotas.flatMap((draw) => {
    const bucket = buckets.get(draw.quota);
    if (!bucket) return [];
    const others = bucket.targets.filter((k) => !draw.targets.includes(k));
    return [`Shared quota ${bucket.id} (${bucket.providerQuota.label}; ${limitsText(bucket.limits)}): counted once for ${draw.targets.join(', ')}${others.length ? `; also drawn on by ${others.join(', ')}` : ''}`];
  });
}

/** The plan's ceiling when families share a quota: the family totals above each count it in full. */
function planTotalLine(plan: Plan): string[] {
  const crossFamily = quotaBucketsOf(plan).some((b) => new Set(b.targets.map((k) => k.split('/')[0])).size > 1);
  if (!crossFamily) return [];
  const whole = planCapacityOf(plan);
  return [`Plan total, each provider quota once (a quota shared by families is in each family's total above): ${num(whole.tokensPerMinute)} tokens/min (${limitsText(whole.limits)})`];
}

function headline(plan: Plan, family: FamilyCapacity, simulations?: Simulations): string[] {
  const { tokens, ruleOfThumb, served } = family;
  const simulated = simulations?.[family.familyId];
  return [
    ...sharedQuotaLines(plan, family),
    `Theoretical: ${num(tokens.sum)} tokens/min = ${times(tokens.multiplier)} the best single target (${tokens.bestTarget}, ${num(tokens.best)})`,
    `${PLANNING_RULE.multiplier}x planning rule (${Math.round(PLANNING_RULE.efficiency * 100)}% of the pool): ${num(ruleOfThumb.tokensPerMinute)} tokens/min = ${times(ruleOfThumb.multiplier)} the best single target`,
    `Served at the reference request: ${num(served.sum)} tokens/min = ${times(served.multiplier)} the best single target`,
    ...(simulated ? [describeSimulation(simulated)] : []),
  ];
}

const FOOTNOTE = `* tokens/min of a reference request (${REFERENCE_REQUEST.inputTokens} input + ${REFERENCE_REQUEST.outputTokens} output tokens, max_tokens ${REFERENCE_REQUEST.maxTokens}) the limits sustain under each provider's cost model (Azure counts max_tokens at admission; Bedrock burns Claude output at 5x).`;

export function renderCapacity(plan: Plan, capacity: readonly FamilyCapacity[], format: Format, file: string, simulations?: Simulations): string {
  if (format === 'json') {
    return JSON.stringify({ plan: plan.name, file, catalogVersion: CATALOG_VERSION, planningRule: PLANNING_RULE, referenceRequest: REFERENCE_REQUEST, families: capacity, planTotal: planCapacityOf(plan), ...(simulations ? { simulations } : {}) }, null, 2);
  }
  if (format === 'markdown') {
    return [
      `## Headroom capacity: \`${plan.name}\``,
      '',
      ...capacity.flatMap((f) => [
        `### ${f.familyId} (${f.api} API; aliases: ${f.targets.length ? plan.families[f.familyId]!.aliases.map((a) => `\`${a}\``).join(', ') : ''})`,
        '',
        markdownTable(HEADER, rows(f), [4, 5, 6, 7, 8]),
        '',
        ...headline(plan, f, simulations).map((l) => `- ${l}`),
        '',
      ]),
      ...planTotalLine(plan).flatMap((l) => [`**${l}**`, '']),
      `<sub>${FOOTNOTE} Catalog ${CATALOG_VERSION}.</sub>`,
    ].join('\n');
  }
  return [
    `Plan ${plan.name} (${file}), catalog ${CATALOG_VERSION}`,
    ...capacity.flatMap((f) => [
      '',
      `${f.familyId}  (${f.api} API; aliases: ${plan.families[f.familyId]!.aliases.join(', ')})`,
      textTable(HEADER, rows(f)),
      ...headline(plan, f, simulations).map((l) => `  ${l}`),
    ]),
    ...planTotalLine(plan).flatMap((l) => ['', l]),
    '',
    FOOTNOTE,
  ].join('\n');
}
