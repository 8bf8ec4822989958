import type { PlanDraft } from '../draft';
import { formatPath, listOf } from '../problems';
import { providerQuotaOf, QUOTA_LIMIT_KINDS, type ProviderQuota } from '../quota-buckets';
import type { ProblemList } from './problem';
import { targetsOfDraft, type DraftTargetRef } from './targets';

const QUOTA_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Two targets on one provider quota would each be counted (and routed) as if they had all of it.
 * That is allowed only when the plan says so: both name the same entry of `quotas:`.
 */
export function checkQuotas(draft: PlanDraft, problems: ProblemList): void {
  const declared = draft.quotas ?? {};
  const names = Object.keys(declared).sort();
  for (const name of names) {
    if (!QUOTA_NAME.test(name)) {
      problems.error('quota/bad-name', ['quotas', name], 'a quota name is lower-case letters, digits and dashes', {
        value: name, allowed: '1-63 of [a-z0-9-], starting with a letter or digit', fix: `rename it, e.g. ${name.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`,
      });
    }
  }
  const byProviderQuota = new Map<string, { quota: ProviderQuota; refs: DraftTargetRef[] }>();
  const byName = new Map<string, { quota: ProviderQuota; ref: DraftTargetRef }[]>();
  for (const ref of targetsOfDraft(draft)) {
    const quota = providerQuotaOf(draft, ref.target);
    const group = byProviderQuota.get(quota.key) ?? { quota, refs: [] };
    group.refs.push(ref);
    byProviderQuota.set(quota.key, group);
    const name = ref.target.quota;
    if (name === undefined) continue;
    if (!(name in declared)) {
      problems.error('quota/unknown', [...ref.path, 'quota'], `no quota named '${name}' in quotas:`, {
        value: name, allowed: names.length ? `a name declared under quotas: ${listOf(names)}` : 'a name declared under quotas: (there are none)',
        fix: `declare it: quotas: { ${name}: { limits: { ... } } }, or remove quota: from this target`,
      });
      continue;
    }
    byName.set(name, [...(byName.get(name) ?? []), { quota, ref }]);
    checkDeclaredKinds(name, declared[name]!.limits, ref, problems);
    warnAboveQuota(name, declared[name]!.limits, ref, problems);
  }
  for (const { quota, refs } of byProviderQuota.values()) checkShare(quota, refs, problems);
  for (const [name, uses] of byName) {
    const first = uses[0]!;
    const other = uses.find((u) => u.quota.key !== first.quota.key);
    if (other) {
      problems.error('quota/spans-provider-quotas', [...other.ref.path, 'quota'], `quota '${name}' would cover two provider quotas: ${first.ref.key} draws on ${first.quota.label}, ${other.ref.key} on ${other.quota.label}`, {
        value: name, allowed: 'targets naming one quota: all on one provider quota (same scope)', fix: `give ${other.ref.key} its own quota, or remove quota: from it`,
      });
    }
  }
  for (const name of names) {
    if (byName.has(name)) continue;
    problems.warn('quota/unused', ['quotas', name], `no target draws on quota '${name}'`, {
      value: name, allowed: 'a quota that at least one target names with quota:', fix: `add quota: ${name} to the targets that share it, or delete it`,
    });
  }
}

function checkShare(quota: ProviderQuota, refs: readonly DraftTargetRef[], problems: ProblemList): void {
  if (refs.length < 2) return;
  const first = refs[0]!;
  for (const ref of refs.slice(1)) {
    if (ref.target.quota !== undefined && ref.target.quota === first.target.quota) continue;
    const suggested = `${ref.target.provider}-${'region' in ref.target ? `${ref.target.region}-` : ''}${ref.target.model}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 63);
    problems.error('quota/unintended-share', [...ref.path, 'quota'],
      `${ref.key} and ${first.key} draw on one provider quota (${quota.label}); counted apart, the pool would claim it twice`, {
        value: ref.target.quota, at: ref.target.quota === undefined ? ref.path : [...ref.path, 'quota'],
        allowed: `two targets on one provider quota only when both name the same entry of quotas: (${formatPath(first.path)} names ${first.target.quota === undefined ? 'none' : `'${first.target.quota}'`})`,
        fix: `declare quotas: { ${first.target.quota ?? suggested}: { limits: { ... the provider quota ... } } } and set quota: ${first.target.quota ?? suggested} on both targets, or move one to another region, model or account`,
      });
  }
}

function checkDeclaredKinds(name: string, limits: Readonly<Record<string, number | undefined>>, ref: DraftTargetRef, problems: ProblemList): void {
  const missing = QUOTA_LIMIT_KINDS[ref.target.provider].filter((kind) => limits[kind] === undefined);
  if (missing.length === 0) return;
  problems.error('quota/missing-limit', ['quotas', name, 'limits'], `quota '${name}' lacks ${missing.join(', ')}, which ${ref.target.provider} counts (${ref.key} draws on it)`, {
    value: limits, allowed: `limits with ${listOf(QUOTA_LIMIT_KINDS[ref.target.provider])}`, fix: `add ${missing.map((k) => `${k}: <per minute>`).join(', ')}; a missing limit is never unlimited`,
  });
}

/** A target's own limit above its shared quota's is never reachable: the quota caps it. */
function warnAboveQuota(name: string, limits: Readonly<Record<string, number | undefined>>, ref: DraftTargetRef, problems: ProblemList): void {
  for (const [kind, own] of Object.entries(ref.target.limits as Readonly<Record<string, number | undefined>>)) {
    const cap = limits[kind];
    if (own === undefined || cap === undefined || own <= cap) continue;
    problems.warn('quota/target-above-quota', [...ref.path, 'limits', kind], `${ref.key} declares ${kind} ${own}, above its shared quota '${name}' (${cap}); the quota caps it`, {
      value: own, allowed: `at most quotas.${name}.limits.${kind} (${cap})`, fix: `lower it to ${cap}, or raise the quota if the provider granted more`,
    });
  }
}
