import { catalog, vertexAlertName, vertexQuotaPreferenceId, type Plan, alarmSettings } from '@headroom/plan';
import { vertexRefs } from './validate';

/**
 * The Vertex side of a plan as plain data: one quota preference per region x model x limit,
 * the targets left on dynamic shared quota, and one alert per region. Pure.
 *
 * Quota ids come from `catalog.VERTEX_QUOTA_IDS` (confidence "likely": the us/eu ids are in
 * Google's Claude quota page, the regional and global ids were seen in public scripts) and a
 * target's `quotaIds` overrides them. Dimensions: regional endpoints use `{ region, base_model }`;
 * global and multi-region (us/eu) endpoints use `{ base_model }` only (UNCERTAIN for us/eu).
 */

export type VertexLimit = 'rpm' | 'itpm' | 'otpm';
export const VERTEX_LIMITS: readonly VertexLimit[] = ['rpm', 'itpm', 'otpm'];

export interface QuotaPreferenceSpec {
  /** `family/target/limit` */
  readonly key: string;
  readonly targetKey: string;
  readonly familyId: string;
  readonly targetId: string;
  readonly region: string;
  readonly model: string;
  readonly limit: VertexLimit;
  /** The quota preference id (resource name's last segment), from the plan's naming. */
  readonly preferenceId: string;
  readonly quotaId: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly preferredValue: number;
}

export interface AdvisoryTarget {
  readonly key: string;
  readonly region: string;
  readonly model: string;
}

export interface VertexAlertSpec {
  readonly region: string;
  readonly displayName: string;
  /** 429s as a fraction of invocations: the plan's throttleRatePct / 100. */
  readonly ratio: number;
}

export interface VertexLayout {
  readonly preferences: readonly QuotaPreferenceSpec[];
  readonly advisory: readonly AdvisoryTarget[];
  readonly alerts: readonly VertexAlertSpec[];
}

export function vertexLayout(plan: Plan): VertexLayout {
  const preferences: QuotaPreferenceSpec[] = [];
  const advisory: AdvisoryTarget[] = [];
  const regions = new Set<string>();
  for (const ref of vertexRefs(plan)) {
    const { target } = ref;
    regions.add(target.region);
    const model = catalog.VERTEX_MODELS[target.model];
    if (model?.dynamicSharedQuota) {
      advisory.push({ key: ref.key, region: target.region, model: target.model });
      continue;
    }
    const kind = catalog.vertexEndpointKind(target.region);
    const baseModel = model?.baseModel ?? target.model;
    const dimensions: Record<string, string> = kind === 'regional' ? { region: target.region, base_model: baseModel } : { base_model: baseModel };
    for (const limit of VERTEX_LIMITS) {
      preferences.push({
        key: `${ref.key}/${limit}`,
        targetKey: ref.key,
        familyId: ref.familyId,
        targetId: ref.targetId,
        region: target.region,
        model: target.model,
        limit,
        preferenceId: vertexQuotaPreferenceId(plan, ref.familyId, ref.targetId, limit),
        quotaId: target.quotaIds?.[limit] ?? catalog.VERTEX_QUOTA_IDS[kind][limit],
        dimensions,
        preferredValue: target.limits[limit],
      });
    }
  }
  const ratio = alarmSettings(plan).throttleRatePct / 100;
  const alerts = [...regions].sort().map((region) => ({ region, displayName: vertexAlertName(plan, region), ratio }));
  return { preferences, advisory, alerts };
}
