import { targetKeySegment, type Plan, type QuotaBucket, type TargetRef } from '@headroom/plan';

/**
 * The quota as one name segment. A target with its quota to itself keeps `<family>--<target>`
 * (`targetKeySegment`); a shared quota is `-<name>`, so its ids read `<plan>--<name>-<limit>`. Plan
 * names and family ids start with a letter and hold no `--`, so a segment starting with `-` never
 * equals a `<family>--<target>` one: distinct quotas, distinct ids and logical names.
 */
export function vertexPreferenceSegment(bucket: Pick<QuotaBucket, 'id' | 'shared'>, ref: Pick<TargetRef, 'familyId' | 'targetId'>): string {
  return bucket.shared ? `-${bucket.id}` : targetKeySegment(ref.familyId, ref.targetId);
}

/** `<plan>-<segment>-<limit>`: with a target's own quota, exactly `vertexQuotaPreferenceId` of the plan. */
export function vertexPreferenceId(plan: Pick<Plan, 'name'>, segment: string, limit: string): string {
  return `${plan.name}-${segment}-${limit}`;
}
