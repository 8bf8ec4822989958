import { CustomResource, Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { catalog, targetsOf, type Plan } from '@headroom/plan';
import { inferenceProfileArn, partitionOf } from './bedrock-access';
import { propError } from './errors';
import { quotaCheckHandlerSource, type ProfileGrant, type QuotaDemand } from './quota-check-handler';

export type QuotaShortfallAction = 'fail' | 'warn';

export interface BedrockQuotaCheckProps {
  /** The validated quota plan. */
  readonly plan: Plan;
  /**
   * What a deployment does when an applied TPM or RPM quota is below the plan (or no TPM quota
   * name matched): `fail` rolls the deployment back with an error naming each shortfall; `warn` logs
   * it and reports it in the `shortfalls` and `report` attributes.
   * @default 'warn'
   */
  readonly onShortfall?: QuotaShortfallAction;
  /**
   * File a Service Quotas increase request for every quota below the plan (to the planned value).
   * @default false
   */
  readonly requestIncreases?: boolean;
  /**
   * The model name Service Quotas uses, per Bedrock model id, when the words of the id do not match
   * it (e.g. `{ 'anthropic.claude-sonnet-4-20250514-v1:0': 'Anthropic Claude Sonnet 4 V1' }`).
   * @default derived from the model id (vendor, family, version words; date and `v1:0` dropped)
   */
  readonly quotaModelNames?: Readonly<Record<string, string>>;
}

/**
 * Bedrock TPM and RPM demand of a plan, per source region and quota bucket. Targets on one bucket
 * add up; when they declare a shared quota (`quota:` naming an entry of the plan's `quotas`), the
 * router caps them together at its limits, so the demand is the smaller of the sum and those limits.
 */
export function quotaDemands(plan: Plan, quotaModelNames: Readonly<Record<string, string>> = {}): Map<string, QuotaDemand[]> {
  const byRegion = new Map<string, Map<string, QuotaDemand>>();
  const sharedLimits = new Map<string, { tpm?: number; rpm?: number }>();
  for (const ref of targetsOf(plan)) {
    const t = ref.target;
    if (t.provider !== 'bedrock') continue;
    const kind: QuotaDemand['kind'] = !t.profile ? 'on-demand' : t.profile === 'global' ? 'global' : 'cross-region';
    const buckets = byRegion.get(t.region) ?? new Map<string, QuotaDemand>();
    const id = `${kind} ${t.model}`;
    const prior = buckets.get(id);
    const shared = t.quota ? plan.quotas?.[t.quota]?.limits : undefined;
    if (shared) sharedLimits.set(`${t.region} ${id}`, shared);
    const name = quotaModelNames[t.model];
    buckets.set(id, {
      targets: [...(prior?.targets ?? []), ref.key],
      model: t.model,
      kind,
      tpm: (prior?.tpm ?? 0) + t.limits.tpm,
      rpm: (prior?.rpm ?? 0) + t.limits.rpm,
      ...(name ? { quotaModelName: name } : {}),
    });
    byRegion.set(t.region, buckets);
  }
  const capped = (d: QuotaDemand, shared: { tpm?: number; rpm?: number } | undefined): QuotaDemand => ({
    ...d, tpm: Math.min(d.tpm, shared?.tpm ?? Infinity), rpm: Math.min(d.rpm, shared?.rpm ?? Infinity),
  });
  return new Map([...byRegion].sort(([a], [b]) => a.localeCompare(b)).map(([region, m]) => [region, [...m.entries()].map(([id, d]) => capped(d, sharedLimits.get(`${region} ${id}`)))]));
}

/**
 * The geo inference profiles the plan calls, per source region, with the regions the router role is
 * granted their model in (the catalog's destinations, as `bedrockStatements` grants them). The
 * global profile is left out: its grant does not list regions (region-less ARN).
 */
export function profileGrants(plan: Plan): Map<string, ProfileGrant[]> {
  const byRegion = new Map<string, Map<string, ProfileGrant>>();
  for (const ref of targetsOf(plan)) {
    const t = ref.target;
    if (t.provider !== 'bedrock' || !t.profile) continue;
    const destinations = catalog.BEDROCK_GEOS[t.profile].destinations;
    if (destinations === 'all-commercial') continue;
    const profileId = catalog.bedrockInvokeId(t.model, t.profile);
    const profiles = byRegion.get(t.region) ?? new Map<string, ProfileGrant>();
    const prior = profiles.get(profileId);
    profiles.set(profileId, {
      targets: [...(prior?.targets ?? []), ref.key], profileId, profileArn: inferenceProfileArn(plan.aws.account, t), granted: [...destinations].sort(),
    });
    byRegion.set(t.region, profiles);
  }
  return new Map([...byRegion].map(([region, m]) => [region, [...m.values()]]));
}

/**
 * At deploy time, reads the account's applied Bedrock Service Quotas in each region the plan calls
 * and compares them with the plan's TPM and RPM, resolving quota codes by name (never hard-coded:
 * AWS does not publish Bedrock's L-codes, and they differ per model).
 * RPM: Bedrock's runtime quota page lists token quotas only, while the quota-increase page still
 * names "Cross-Region/On-demand InvokeModel requests per minute for ${model}". An RPM quota that
 * is listed is compared like TPM; one that is not listed is recorded (`not-listed`), not a shortfall.
 *
 * Why a small Lambda rather than `AwsCustomResource`: the check must page through
 * `ListServiceQuotas` (Bedrock has hundreds of quotas per region, 100 per page), match names,
 * compare numbers and then fail, warn or file `RequestServiceQuotaIncrease`; an `AwsCustomResource`
 * makes one unpaginated call and cannot compare or decide. The handler is inline (no bundling) and
 * uses the SDK the nodejs22.x runtime ships.
 */
export class BedrockQuotaCheck extends Construct {
  /** Per region: `none`, or the shortfalls found at the last deployment. */
  readonly shortfalls: Readonly<Record<string, string>>;
  /**
   * Every region's result in one string, `<region>: none` or that region's shortfalls, joined by
   * ` | `: the value of `Headroom`'s stack output `BedrockQuotaShortfalls`.
   */
  readonly report: string;
  readonly handler: lambda.Function;

  constructor(scope: Construct, id: string, props: BedrockQuotaCheckProps) {
    super(scope, id);
    const onShortfall = props.onShortfall ?? 'warn';
    if (onShortfall !== 'fail' && onShortfall !== 'warn') {
      throw propError(this, {
        code: 'HeadroomQuotaCheckOnShortfall', prop: 'onShortfall', message: 'unknown shortfall action', received: onShortfall,
        allowed: "'fail' or 'warn'", fix: "pass onShortfall: 'fail' to stop deployments below the plan, or omit it to warn",
      });
    }
    const bedrockModels = new Set(targetsOf(props.plan).flatMap((r) => (r.target.provider === 'bedrock' ? [r.target.model] : [])));
    for (const model of Object.keys(props.quotaModelNames ?? {})) {
      if (!bedrockModels.has(model)) {
        throw propError(this, {
          code: 'HeadroomQuotaCheckModelName', prop: `quotaModelNames["${model}"]`, message: 'no Bedrock target of the plan uses this model', received: model,
          allowed: [...bedrockModels].sort().join(', ') || 'none: the plan has no Bedrock target', fix: 'key quotaModelNames by a Bedrock model id from the plan',
        });
      }
    }
    const demands = quotaDemands(props.plan, props.quotaModelNames);
    const regions = [...demands.keys()];
    const grants = profileGrants(props.plan);

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Headroom: reads Bedrock Service Quotas for plan ${props.plan.name}`,
    });
    logGroup.grantWrite(role);
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'ReadBedrockQuotas',
      actions: ['servicequotas:ListServiceQuotas', 'servicequotas:ListAWSDefaultServiceQuotas'],
      // These list actions have no resource type: '*' is the only resource they accept.
      resources: ['*'],
    }));
    const profileArns = [...grants.values()].flat().map((g) => g.profileArn).sort();
    if (profileArns.length > 0) {
      role.addToPolicy(new iam.PolicyStatement({
        sid: 'ReadBedrockProfileDestinations',
        actions: ['bedrock:GetInferenceProfile'],
        // Exactly the geo profiles the router calls, to compare their live destinations with its grant.
        resources: profileArns,
      }));
    }
    if (props.requestIncreases) {
      role.addToPolicy(new iam.PolicyStatement({
        sid: 'RequestBedrockQuotaIncreases',
        actions: ['servicequotas:RequestServiceQuotaIncrease'],
        // Quota codes are resolved by name at deploy time, so the quota part is a wildcard; scoped to bedrock in the plan's regions.
        resources: regions.map((region) => `arn:${partitionOf(region)}:servicequotas:${region}:${props.plan.aws.account}:bedrock/*`),
      }));
    }
    this.handler = new lambda.Function(this, 'Handler', {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(quotaCheckHandlerSource()),
      timeout: Duration.minutes(2),
      memorySize: 256,
      role,
      logGroup,
      description: 'Headroom: compares Bedrock Service Quotas with the plan at deploy time',
    });
    const provider = new cr.Provider(this, 'Provider', { onEventHandler: this.handler });
    const shortfalls: Record<string, string> = {};
    const reports: string[] = [];
    for (const [region, list] of demands) {
      const resource = new CustomResource(this, `Check-${region}`, {
        serviceToken: provider.serviceToken,
        resourceType: 'Custom::HeadroomBedrockQuotaCheck',
        properties: {
          Region: region,
          Demands: JSON.stringify(list),
          OnShortfall: onShortfall,
          RequestIncreases: String(props.requestIncreases ?? false),
          // A custom resource's response is at most 4,096 bytes, and the report of every region
          // lands in one stack output: share 3,600 characters between the regions.
          ReportLimit: String(Math.floor(3600 / regions.length)),
          Profiles: JSON.stringify(grants.get(region) ?? []),
        },
      });
      shortfalls[region] = resource.getAttString('Shortfalls');
      reports.push(resource.getAttString('Report'));
    }
    this.shortfalls = shortfalls;
    this.report = Fn.join(' | ', reports);

    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Service Quotas ListServiceQuotas/ListAWSDefaultServiceQuotas support no resource-level permissions, and quota codes for ' +
        'RequestServiceQuotaIncrease are resolved by name at deploy time (limited to bedrock/* in the plan regions).',
    });
    // cdk-nag 3 matches finding ids exactly, including the resource part.
    const handlerId = Stack.of(this).getLogicalId(this.handler.node.defaultChild as lambda.CfnFunction);
    if (props.requestIncreases) {
      Validations.of(role).acknowledge(...regions.map((region) => ({
        id: `AwsSolutions-IAM5[Resource::arn:${partitionOf(region)}:servicequotas:${region}:${props.plan.aws.account}:bedrock/*]`,
        reason: 'Quota codes are resolved by name at deploy time, so increase requests are scoped to bedrock quotas of the region, not one code.',
      })));
    }
    Validations.of(provider).acknowledge(
      { id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', reason: 'The CDK Provider framework function uses AWSLambdaBasicExecutionRole for its own logs; it only invokes the quota-check handler.' },
      { id: `AwsSolutions-IAM5[Resource::<${handlerId}.Arn>:*]`, reason: 'The CDK Provider framework grants lambda:InvokeFunction on the handler ARN and its versions (:*); nothing else.' },
      { id: 'AwsSolutions-L1', reason: 'The CDK Provider framework pins its own runtime, upgraded with aws-cdk-lib.' },
    );
    Validations.of(this.handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'nodejs22.x is the runtime Headroom targets and tests (its bundled @aws-sdk/client-service-quotas is used); newer runtimes are adopted deliberately.',
    });
  }
}
