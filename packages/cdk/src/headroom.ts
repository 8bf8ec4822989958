import { Annotations, CfnOutput, type Environment } from 'aws-cdk-lib';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { formatPath, targetsOf, type Plan } from '@headroom/plan';
import { HeadroomDashboard } from './dashboard';
import { propError } from './errors';
import { Plan as PlanSource } from './plan-source';
import { BedrockQuotaCheck, type BedrockQuotaCheckProps, type QuotaShortfallAction } from './quota-check';
import { HeadroomRouter, type HeadroomRouterProps } from './router';
import { HeadroomMetrics } from './target-metrics';

/** Router props passed through unchanged; their defaults are derived in `HeadroomRouter`. */
type RouterPassThrough = Pick<HeadroomRouterProps,
  'memorySize' | 'timeout' | 'logRetention' | 'stateTableRemovalPolicy' | 'reservedConcurrentExecutions' | 'functionUrlAuthType' | 'exposeStatus'>;

export interface HeadroomProps<P extends Plan = Plan> extends RouterPassThrough, Pick<BedrockQuotaCheckProps, 'quotaModelNames'> {
  /**
   * The quota plan: `Plan.fromFile('headroom.yaml')`, `Plan.fromObject({...})` or a `definePlan({...})`
   * result. With the latter two, `metrics.target(family, target)` checks its keys at compile time.
   */
  readonly plan: P;
  /**
   * An existing SNS topic for alarm notifications.
   * @default no notifications, unless `createAlarmTopic` is set
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Create an encrypted SNS topic for alarm notifications.
   * @default false
   */
  readonly createAlarmTopic?: boolean;
  /**
   * Check the account's Bedrock quotas against the plan at deploy time.
   * @default true when the plan has Bedrock targets
   */
  readonly quotaCheck?: boolean;
  /**
   * What a deployment does when an applied Bedrock TPM or RPM quota is below the plan: `fail` rolls
   * it back with an error naming each shortfall, `warn` logs it and reports it in the stack output
   * `BedrockQuotaShortfalls` (and `quotaCheck.shortfalls`).
   * @default 'warn'
   */
  readonly onQuotaShortfall?: QuotaShortfallAction;
  /**
   * File a Service Quotas increase request, to the planned value, for every Bedrock quota below the plan.
   * @default false
   */
  readonly requestQuotaIncreases?: boolean;
  /**
   * The router's Lambda entry file.
   * @default `src/lambda.ts` of `@headroom/router-lambda`
   */
  readonly routerEntry?: string;
}

/**
 * Headroom on AWS, compiled from one plan: the router (Lambda, Function URL, state table, IAM to
 * exactly the declared Bedrock ARNs), the dashboard and per-target alarms, and the Bedrock quota check.
 */
export class Headroom<P extends Plan = Plan> extends Construct {
  /** The stack environment the plan declares (`aws.account`, `aws.region`). */
  static envOf(plan: Plan): Required<Pick<Environment, 'account' | 'region'>> {
    return { account: plan.aws.account, region: plan.aws.region };
  }

  readonly plan: P;
  readonly router: HeadroomRouter;
  readonly dashboard: HeadroomDashboard;
  readonly quotaCheck?: BedrockQuotaCheck;
  /** The router's base URL (its Function URL): `baseURL` of the Anthropic and OpenAI SDKs. Also the `RouterUrl` output. */
  readonly url: string;
  /** Metric helpers per family and target, e.g. `metrics.target('chatbot', 'bedrock-us-east-1').upstreamThrottles()`. */
  readonly metrics: HeadroomMetrics<P>;

  constructor(scope: Construct, id: string, props: HeadroomProps<P>) {
    super(scope, id);
    this.plan = props.plan;
    for (const warning of PlanSource.warningsOf(props.plan)) {
      Annotations.of(this).addWarningV2(`headroom:plan:${warning.code}`, `${formatPath(warning.path)}: ${warning.message} (fix: ${warning.fix})`);
    }
    this.router = new HeadroomRouter(this, 'Router', {
      plan: props.plan,
      entry: props.routerEntry,
      memorySize: props.memorySize,
      timeout: props.timeout,
      logRetention: props.logRetention,
      stateTableRemovalPolicy: props.stateTableRemovalPolicy,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      functionUrlAuthType: props.functionUrlAuthType,
      exposeStatus: props.exposeStatus,
    });
    this.url = this.router.url;
    this.metrics = new HeadroomMetrics(this, props.plan, this.router.metrics);
    this.dashboard = new HeadroomDashboard(this, 'Monitoring', {
      plan: props.plan,
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
      ...(props.createAlarmTopic ? { createAlarmTopic: true } : {}),
    });
    const hasBedrock = targetsOf(props.plan).some((r) => r.target.provider === 'bedrock');
    if ((props.quotaCheck ?? true) && hasBedrock) {
      this.quotaCheck = new BedrockQuotaCheck(this, 'BedrockQuotaCheck', {
        plan: props.plan,
        ...(props.onQuotaShortfall ? { onShortfall: props.onQuotaShortfall } : {}),
        ...(props.requestQuotaIncreases ? { requestIncreases: true } : {}),
        quotaModelNames: props.quotaModelNames,
      });
    } else if (Object.keys(props.quotaModelNames ?? {}).length > 0) {
      if (!hasBedrock) {
        throw propError(this, {
          code: 'HeadroomQuotaCheckModelName', prop: 'quotaModelNames', message: 'the plan has no Bedrock target to name a quota for',
          received: Object.keys(props.quotaModelNames ?? {}), allowed: 'nothing', fix: 'drop quotaModelNames',
        });
      }
      Annotations.of(this).addWarningV2('headroom:quotaModelNamesUnused', 'quotaModelNames is set but quotaCheck is false, so no quota check uses it.');
    }
    if (this.quotaCheck) {
      // The deploy-time result reaches the user as a stack output, not only the handler's log.
      new CfnOutput(this, 'BedrockQuotaShortfalls', {
        value: this.quotaCheck.report,
        description: 'Bedrock quotas (TPM, RPM) below the plan, per region, at the last deployment ("<region>: none" when none)',
      });
    }
    new CfnOutput(this, 'RouterUrl', { value: this.url, description: 'Headroom router base URL (IAM auth: use signedFetch())' });
  }

  /** Allow a principal to call the router URL. */
  grantInvoke(grantee: Parameters<HeadroomRouter['grantInvoke']>[0]) {
    return this.router.grantInvoke(grantee);
  }
}
