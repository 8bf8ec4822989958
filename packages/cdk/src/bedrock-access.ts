import { catalog, targetsOf, type BedrockTarget, type Plan, type RouterConfig } from '@headroom/plan';

/** The two runtime actions the router calls: Converse/InvokeModel and their streaming variants. */
export const BEDROCK_INVOKE_ACTIONS = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'] as const;

/** One IAM statement's worth of Bedrock access, as plain data (the construct renders it). */
export interface BedrockStatement {
  readonly sid: string;
  readonly resources: readonly string[];
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** `aws`, `aws-cn` or `aws-us-gov` from a region name. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function inferenceProfileArn(account: string, target: Pick<BedrockTarget, 'region' | 'model' | 'profile'>): string {
  return `arn:${partitionOf(target.region)}:bedrock:${target.region}:${account}:inference-profile/${catalog.bedrockInvokeId(target.model, target.profile)}`;
}

export function foundationModelArn(region: string, model: string): string {
  return `arn:${partitionOf(region)}:bedrock:${region}::foundation-model/${model}`;
}

const sidOf = (text: string) => text.replace(/[^A-Za-z0-9]/g, '');

/**
 * Exactly the Bedrock ARNs the plan needs (AWS Bedrock user guide, "Geographic cross-Region
 * inference" and "Global cross-Region inference", IAM policy requirements):
 * - a geo profile (`us.`, `eu.`, ...): the profile ARN in the source region, plus the foundation-model
 *   ARN in every destination region of that geo, only when called through that profile
 *   (`bedrock:InferenceProfileArn`);
 * - the `global.` profile: the profile ARN, the foundation-model ARN in the source region, and the
 *   region-less `arn:aws:bedrock:::foundation-model/{model}` (requested region `unspecified`), each
 *   only through that profile;
 * - no profile (in-region on-demand): the foundation-model ARN in the target's region.
 * Never a wildcard region or model. Targets sharing a profile share one statement.
 *
 * Why the destinations come from the catalog (`catalog.BEDROCK_GEOS[geo].destinations`, with its
 * source) and not `arn:aws:bedrock:*::foundation-model/{model}` under `bedrock:InferenceProfileArn`:
 * the policy stays a list a reviewer can read and diff, and it passes cdk-nag's AwsSolutions-IAM5
 * without an acknowledgement on the router role. The cost: when AWS adds a destination region to
 * a profile, a request it routes there gets 403 until the catalog lists that region and the stack
 * is deployed again. The wildcard-region grant (AWS documents `arn:aws:bedrock:*::foundation-model/*`
 * for inference profiles) would survive that, limited to our own profile ARNs by the condition;
 * switching is one change here plus an IAM5 acknowledgement where the role is built (router.ts).
 * The deploy-time check (`BedrockQuotaCheck`, `profileGrants`) reads each geo profile's live
 * destinations and reports any this grant misses, so a stale catalog shows up at deploy, not as a 403.
 */
export function bedrockStatements(plan: Plan): BedrockStatement[] {
  const account = plan.aws.account;
  const statements = new Map<string, BedrockStatement[]>();
  for (const ref of targetsOf(plan)) {
    const target = ref.target;
    if (target.provider !== 'bedrock') continue;
    const invokeId = catalog.bedrockInvokeId(target.model, target.profile);
    const key = `${target.region}/${invokeId}`;
    if (statements.has(key)) continue;
    const name = sidOf(`${target.region}${invokeId}`);
    if (!target.profile) {
      statements.set(key, [{ sid: `OnDemand${name}`, resources: [foundationModelArn(target.region, target.model)] }]);
      continue;
    }
    const profileArn = inferenceProfileArn(account, target);
    const viaProfile = { StringEquals: { 'bedrock:InferenceProfileArn': profileArn } };
    const destinations = catalog.BEDROCK_GEOS[target.profile].destinations;
    const list: BedrockStatement[] = [{ sid: `Profile${name}`, resources: [profileArn] }];
    if (destinations === 'all-commercial') {
      list.push({ sid: `ModelSource${name}`, resources: [foundationModelArn(target.region, target.model)], conditions: viaProfile });
      list.push({
        sid: `ModelGlobal${name}`,
        resources: [`arn:${partitionOf(target.region)}:bedrock:::foundation-model/${target.model}`],
        conditions: { StringEquals: { 'bedrock:InferenceProfileArn': profileArn, 'aws:RequestedRegion': 'unspecified' } },
      });
    } else {
      list.push({
        sid: `ModelDestinations${name}`,
        resources: [...destinations].sort().map((region) => foundationModelArn(region, target.model)),
        conditions: viaProfile,
      });
    }
    statements.set(key, list);
  }
  return [...statements.keys()].sort().flatMap((k) => statements.get(k)!);
}

/** Secrets Manager names or ARNs of the targets that need an API key (Anthropic, OpenAI), deduplicated and sorted. */
export function apiKeySecrets(config: RouterConfig): string[] {
  return [...new Set(Object.values(config.targets).flatMap((t) => (t.auth.mode === 'api-key' ? [t.auth.secret] : [])))].sort();
}

/** Entra ID's token-exchange audience (matches the Pulumi side's federated credential). */
export const ENTRA_AUDIENCE = 'api://AzureADTokenExchange';

/**
 * Audiences the router may request outbound web identity tokens for (`sts:IdentityTokenAudience`):
 * Entra ID when the plan has Azure targets. Vertex needs none: Google's AWS provider verifies a
 * signed GetCallerIdentity request made with the role's own credentials, not an outbound JWT.
 */
export function webIdentityAudiences(config: RouterConfig): string[] {
  return Object.values(config.targets).some((t) => t.auth.mode === 'entra-federated') ? [ENTRA_AUDIENCE] : [];
}
