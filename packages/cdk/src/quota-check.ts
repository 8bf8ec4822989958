import { CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { catalog, targetsOf, type Plan } from '@headroom/plan';
import { partitionOf } from './bedrock-access';
import { propError } from './errors';
import { quotaCheckHandlerSource, type QuotaDemand } from './quota-check-handler';

export type QuotaShortfallAction = 'fail' | 'warn';

export interface BedrockQuotaCheckProps {
  /** The validated quota plan. */
  readonly plan: Plan;
  /**
   * What a deployment does when the account's applied TPM quota is below the plan (or no quota
   * name matched): `fail` rolls the deployment back; `warn` logs and reports it in the `shortfalls` attribute.
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

/** Bedrock TPM demand of a plan, per source region and quota bucket (targets sharing a bucket add up). */
export function quotaDemands(plan: Plan, quotaModelNames: Readonly<Record<string, string>> = {}): Map<string, QuotaDemand[]> {
  const byRegion = new Map<string, Map<string, QuotaDemand>>();
  for (const ref of targetsOf(plan)) {
    const t = ref.target;
    if (t.provider !== 'bedrock') continue;
    const kind: QuotaDemand['kind'] = !t.profile ? 'on-demand' : t.profile === 'global' ? 'global' : 'cross-region';
    const buckets = byRegion.get(t.region) ?? new Map<string, QuotaDemand>();
    const id = `${kind} ${t.model}`;
    const prior = buckets.get(id);
    const name = quotaModelNames[t.model];
    buckets.set(id, {
      targets: [...(prior?.targets ?? []), ref.key],
      model: t.model,
      kind,
      tpm: (prior?.tpm ?? 0) + t.limits.tpm,
      ...(name ? { quotaModelName: name } : {}),
    });
    byRegion.set(t.region, buckets);
  }
  return new Map([...byRegion].sort(([a], [b]) => a.localeCompare(b)).map(([region, m]) => [region, [...m.values()]]));
}

/**
 * At deploy time, reads the account's applied Bedrock Service Quotas in each region the plan calls
 * and compares them with the plan's TPM, resolving quota codes by name.
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
    for (const [region, list] of demands) {
      const resource = new CustomResource(this, `Check-${region}`, {
        serviceToken: provider.serviceToken,
        resourceType: 'Custom::HeadroomBedrockQuotaCheck',
        properties: {
          Region: region,
          Demands: JSON.stringify(list),
          OnShortfall: onShortfall,
          RequestIncreases: String(props.requestIncreases ?? false),
        },
      });
      shortfalls[region] = resource.getAttString('Shortfalls');
    }
    this.shortfalls = shortfalls;

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
