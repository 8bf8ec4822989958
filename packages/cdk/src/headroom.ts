import { Annotations, CfnOutput, type Environment } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { formatPath, targetsOf, type Plan } from '@headroom/plan';
import { HeadroomDashboard } from './dashboard';
import { Plan as PlanSource } from './plan-source';
import { BedrockQuotaCheck, type QuotaShortfallAction } from './quota-check';
import { HeadroomRouter } from './router';

export interface HeadroomProps {
  /** The quota plan: `Plan.fromFile('headroom.yaml')`, `Plan.fromObject({...})` or a `definePlan({...})` result. */
  readonly plan: Plan;
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
  /** @default 'warn' */
  readonly onQuotaShortfall?: QuotaShortfallAction;
  /** @default false */
  readonly requestQuotaIncreases?: boolean;
  /**
   * Router Function URL auth; `NONE` raises `headroom:openFunctionUrl`.
   * @default FunctionUrlAuthType.AWS_IAM
   */
  readonly functionUrlAuthType?: lambda.FunctionUrlAuthType;
  /**
   * The router's Lambda entry file.
   * @default `src/lambda.ts` of `@headroom/router-lambda`
   */
  readonly routerEntry?: string;
  /** @default no reservation */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * Headroom on AWS, compiled from one plan: the router (Lambda, Function URL, state table, IAM to
 * exactly the declared Bedrock ARNs), the dashboard and per-target alarms, and the Bedrock quota check.
 */
export class Headroom extends Construct {
  /** The stack environment the plan declares (`aws.account`, `aws.region`). */
  static envOf(plan: Plan): Required<Pick<Environment, 'account' | 'region'>> {
    return { account: plan.aws.account, region: plan.aws.region };
  }

  readonly plan: Plan;
  readonly router: HeadroomRouter;
  readonly dashboard: HeadroomDashboard;
  readonly quotaCheck?: BedrockQuotaCheck;

  constructor(scope: Construct, id: string, props: HeadroomProps) {
    super(scope, id);
    this.plan = props.plan;
    for (const warning of PlanSource.warningsOf(props.plan)) {
      Annotations.of(this).addWarningV2(`headroom:plan:${warning.code}`, `${formatPath(warning.path)}: ${warning.message} (fix: ${warning.fix})`);
    }
    this.router = new HeadroomRouter(this, 'Router', {
      plan: props.plan,
      ...(props.functionUrlAuthType ? { functionUrlAuthType: props.functionUrlAuthType } : {}),
      ...(props.routerEntry ? { entry: props.routerEntry } : {}),
      ...(props.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions } : {}),
    });
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
      });
    }
    new CfnOutput(this, 'RouterUrl', { value: this.router.url, description: 'Headroom router base URL (IAM auth: use signedFetch())' });
  }

  /** Allow a principal to call the router URL. */
  grantInvoke(grantee: Parameters<HeadroomRouter['grantInvoke']>[0]) {
    return this.router.grantInvoke(grantee);
  }
}
