import { alarmSettings, catalog, quotaBucketsOf, vertexAlertName, type Plan } from '@headroom/plan';
import { vertexRefs } from './validate';
import { vertexPreferenceId, vertexPreferenceSegment } from './vertex-names';

/**
 * The Vertex side of a plan as plain data: one quota preference per Vertex quota (`quotaBucketsOf`:
 * project x region x base model, shared by the targets that name it) x limit,
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
  /** `<quota id>/<limit>`: `family/target/limit` for a target with its quota to itself. */
  readonly key: string;
  /** The quota (`quotaBucketsOf`): a `quotas:` name, or the key of the one target on it. */
  readonly bucketId: string;
  readonly shared: boolean;
  /** Keys of the targets drawing on the quota, sorted. */
  readonly targets: readonly string[];
  /** One name segment for the quota, unique by construction (see `vertexPreferenceSegment`). */
  readonly segment: string;
  readonly region: string;
  /** The base model of the quota's dimension. */
  readonly baseModel: string;
  readonly limit: VertexLimit;
  /** The quota preference id (resource name's last segment). */
  readonly preferenceId: string;
  readonly quotaId: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** The quota's limit: the shared quota's `limits`, or the one target's. */
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
  const refs = new Map(vertexRefs(plan).map((ref) => [ref.key, ref]));
  for (const ref of refs.values()) {
    regions.add(ref.target.region);
    if (catalog.VERTEX_MODELS[ref.target.model]?.dynamicSharedQuota) advisory.push({ key: ref.key, region: ref.target.region, model: ref.target.model });
  }
  // One preference per quota and limit: the targets on a quota share its dimensions (project,
  // region, base model: providerQuotaOf), so a second preference would be refused.
  for (const bucket of quotaBucketsOf(plan)) {
    if (bucket.providerQuota.provider !== 'vertex') continue;
    const ref = refs.get(bucket.targets[0]!)!;
    const { target } = ref;
    const model = catalog.VERTEX_MODELS[target.model];
    if (model?.dynamicSharedQuota) continue;
    const kind = catalog.vertexEndpointKind(target.region);
    const baseModel = model?.baseModel ?? target.model;
    const dimensions: Record<string, string> = kind === 'regional' ? { region: target.region, base_model: baseModel } : { base_model: baseModel };
    const segment = vertexPreferenceSegment(bucket, ref);
    for (const limit of VERTEX_LIMITS) {
      const preferredValue = bucket.limits[limit];
      if (preferredValue === undefined) throw new RangeError(`quota ${bucket.id}: no ${limit} limit (the plan validator requires one: quota/missing-limit)`);
      preferences.push({
        key: `${bucket.id}/${limit}`,
        bucketId: bucket.id,
        shared: bucket.shared,
        targets: bucket.targets,
        segment,
        region: target.region,
        baseModel,
        limit,
        preferenceId: vertexPreferenceId(plan, segment, limit),
        quotaId: target.quotaIds?.[limit] ?? catalog.VERTEX_QUOTA_IDS[kind][limit],
        dimensions,
        preferredValue,
      });
    }
  }
  const ratio = alarmSettings(plan).throttleRatePct / 100;
  const alerts = [...regions].sort().map((region) => ({ region, displayName: vertexAlertName(plan, region), ratio }));
  return { preferences, advisory, alerts };
}
