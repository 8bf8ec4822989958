import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { alarmSettings, capacityOf, dashboardName, quotaBucketsOf, resolvedLimits, targetsOf, type Plan, type QuotaBucket, type TargetRef } from '@headroom/plan';
import { HeadroomAlarmFactory, type TargetAlarms } from './alarms';
import { propError } from './errors';
import { HeadroomMetricFactory } from './metrics';

export interface HeadroomDashboardProps {
  /** The validated quota plan. */
  readonly plan: Plan;
  /**
   * An existing SNS topic for alarm and OK notifications (e.g. the company's on-call topic).
   * @default no notifications, unless `createAlarmTopic` is set
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Create a topic (encrypted with a rotating KMS key CloudWatch may use) for the alarms.
   * Cannot be combined with `alarmTopic`.
   * @default false
   */
  readonly createAlarmTopic?: boolean;
  /**
   * Time range the dashboard opens with.
   * @default the last 3 hours
   */
  readonly defaultInterval?: Duration;
}

const WIDTH = 24;
const HEIGHT = 6;
const GREEN = '#2ca02c';
const RED = '#d62728';
const ORANGE = '#ff7f0e';

/**
 * One CloudWatch dashboard named from the plan (`dashboardName`), with a summary row per family
 * and a row per target, every limit drawn as a horizontal annotation at the plan's number, plus the
 * per-target alarms. Layers: `HeadroomMetricFactory` makes metrics, this class lays out widgets,
 * `HeadroomAlarmFactory` names and builds alarms.
 */
export class HeadroomDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  /** The topic alarms notify, if any. */
  readonly alarmTopic?: sns.ITopic;
  /** Alarms per target key (`family/target`). */
  readonly alarms: Readonly<Record<string, TargetAlarms>>;
  readonly metrics: HeadroomMetricFactory;

  constructor(scope: Construct, id: string, props: HeadroomDashboardProps) {
    super(scope, id);
    const { plan } = props;
    if (props.alarmTopic && props.createAlarmTopic) {
      throw propError(this, {
        code: 'HeadroomDashboardTopic', prop: 'createAlarmTopic', message: 'both an existing alarmTopic and createAlarmTopic were given',
        received: { alarmTopic: props.alarmTopic.node.path, createAlarmTopic: true }, allowed: 'one of the two, or neither',
        fix: 'drop createAlarmTopic to notify the existing topic, or drop alarmTopic to create one',
      });
    }
    this.metrics = new HeadroomMetricFactory(plan);
    this.alarmTopic = props.alarmTopic ?? (props.createAlarmTopic ? this.createTopic() : undefined);

    const alarmFactory = new HeadroomAlarmFactory(this, plan, this.metrics, this.alarmTopic);
    const alarms: Record<string, TargetAlarms> = {};
    for (const ref of targetsOf(plan)) alarms[ref.key] = alarmFactory.forTarget(ref);
    this.alarms = alarms;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: dashboardName(plan),
      defaultInterval: props.defaultInterval ?? Duration.hours(3),
    });
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({
      title: `${plan.name}: Headroom alarms`, width: WIDTH, height: 4,
      alarms: Object.values(alarms).flatMap((a) => Object.values(a)),
    }));
    const capacity = capacityOf(plan);
    const buckets = new Map(quotaBucketsOf(plan).map((b) => [b.id, b]));
    // AWS/Bedrock metrics are per model in a region: a quota shared by several targets gets one row.
    const drawn = new Set<string>();
    for (const family of capacity) {
      this.dashboard.addWidgets(this.familyRow(family.familyId, family.tokens.sum));
      for (const target of family.targets) {
        const ref = targetsOf(plan).find((r) => r.key === target.key)!;
        this.dashboard.addWidgets(...this.targetRow(plan, ref));
        if (ref.target.provider !== 'bedrock' || drawn.has(target.quota)) continue;
        drawn.add(target.quota);
        this.dashboard.addWidgets(...this.bedrockRow(ref, buckets.get(target.quota)!));
      }
    }
  }

  private createTopic(): sns.Topic {
    // CloudWatch can only publish to an encrypted topic whose key lets it; the AWS managed SNS key does not.
    const key = new kms.Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'Headroom alarm topic' });
    key.addToResourcePolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      resources: ['*'],
    }));
    return new sns.Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
  }

  /** Family summary: served TPM against the sum of the family's quotas (each once), the 429s its clients saw and the holds that spared them one. */
  private familyRow(familyId: string, declaredTokens: number): cloudwatch.IWidget {
    const keys = this.metrics.familyTargets(familyId);
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    keys.forEach((key, i) => {
      usingMetrics[`in${i}`] = this.metrics.inputTokens(key);
      usingMetrics[`out${i}`] = this.metrics.outputTokens(key);
    });
    const served = new cloudwatch.MathExpression({
      expression: keys.map((_, i) => `FILL(in${i}, 0) + FILL(out${i}, 0)`).join(' + '),
      usingMetrics, period: Duration.minutes(1), label: `${familyId} served TPM`,
    });
    return new cloudwatch.Row(
      new cloudwatch.GraphWidget({
        title: `${familyId}: served TPM vs sum of quotas`, width: 16, height: HEIGHT,
        left: [served],
        leftAnnotations: [{ value: declaredTokens, label: `sum of declared TPM (${declaredTokens})`, color: RED }],
        leftYAxis: { min: 0 },
      }),
      // A hold (routing.hold) is a 429 the client did not see, paid for in latency: counts left, wait right.
      new cloudwatch.GraphWidget({
        title: `${familyId}: client-visible 429s and holds`, width: 8, height: HEIGHT,
        left: [this.metrics.clientThrottles(familyId), this.metrics.holds(familyId)], leftYAxis: { min: 0 },
        right: [this.metrics.heldMs(familyId)], rightYAxis: { min: 0 },
      }),
    );
  }

  /** Per target: RPM and TPM (or ITPM/OTPM) against the plan, headroom, 429 rate, retries, latency. */
  private targetRow(plan: Plan, ref: TargetRef): cloudwatch.IWidget[] {
    const limits = resolvedLimits(ref.target);
    const { throttleRatePct, headroomBelowPct } = alarmSettings(plan);
    const at = (value: number, label: string): cloudwatch.HorizontalAnnotation => ({ value, label: `${label} ${value}`, color: RED });
    const usage: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({
        title: `${ref.key}: RPM`, width: 4, height: HEIGHT, left: [this.metrics.requests(ref.key)],
        leftAnnotations: [at(limits.rpm, 'declared rpm')], leftYAxis: { min: 0 },
      }),
    ];
    if (limits.tpm !== undefined) {
      usage.push(new cloudwatch.GraphWidget({
        title: `${ref.key}: TPM`, width: 4, height: HEIGHT, left: [this.metrics.quotaTokens(ref.key)],
        leftAnnotations: [at(limits.tpm, 'declared tpm')], leftYAxis: { min: 0 },
      }));
    } else {
      usage.push(new cloudwatch.GraphWidget({
        title: `${ref.key}: ITPM / OTPM`, width: 4, height: HEIGHT,
        left: [this.metrics.inputTokens(ref.key)], right: [this.metrics.outputTokens(ref.key)],
        leftAnnotations: [at(limits.itpm!, 'declared itpm')], rightAnnotations: [at(limits.otpm!, 'declared otpm')],
        leftYAxis: { min: 0 }, rightYAxis: { min: 0 },
      }));
    }
    return [new cloudwatch.Row(
      ...usage,
      new cloudwatch.GraphWidget({
        title: `${ref.key}: headroom %`, width: 4, height: HEIGHT, left: [this.metrics.headroomPercent(ref.key)],
        leftAnnotations: [{ value: headroomBelowPct, label: `alarm below ${headroomBelowPct}%`, color: ORANGE, fill: cloudwatch.Shading.BELOW }],
        leftYAxis: { min: 0, max: 100 },
      }),
      new cloudwatch.GraphWidget({
        title: `${ref.key}: upstream 429 rate %`, width: 4, height: HEIGHT, left: [this.metrics.upstreamThrottleRate(ref.key)],
        leftAnnotations: [{ value: throttleRatePct, label: `alarm above ${throttleRatePct}%`, color: ORANGE, fill: cloudwatch.Shading.ABOVE }],
        leftYAxis: { min: 0 },
      }),
      new cloudwatch.GraphWidget({
        title: `${ref.key}: retries and retry-budget denials`, width: 4, height: HEIGHT,
        left: [this.metrics.retries(ref.key), this.metrics.retryBudgetDenials(ref.key, { color: RED }), this.metrics.upstreamErrors(ref.key)],
        leftYAxis: { min: 0 },
      }),
      new cloudwatch.GraphWidget({
        title: `${ref.key}: latency (ms)`, width: 4, height: HEIGHT,
        left: [this.metrics.latency(ref.key), this.metrics.latency(ref.key, { statistic: 'p50', color: GREEN }), this.metrics.timeToFirstByte(ref.key)],
        leftYAxis: { min: 0 },
      }),
    )];
  }

  /**
   * Bedrock's own view of the quota, in its region: throttles, token counts, estimated TPM quota use.
   * Titled by the target, or by the shared quota when several targets draw on it, and drawn once.
   */
  private bedrockRow(ref: TargetRef, bucket: QuotaBucket): cloudwatch.IWidget[] {
    const limits = bucket.shared ? bucket.limits : resolvedLimits(ref.target);
    const region = 'region' in ref.target ? ref.target.region : '';
    const title = bucket.shared ? `quota ${bucket.id}` : ref.key;
    return [new cloudwatch.Row(
      new cloudwatch.GraphWidget({
        title: `${title}: AWS/Bedrock InvocationThrottles (${region})`, width: 8, height: HEIGHT,
        left: [this.metrics.bedrock(ref.key, 'InvocationThrottles'), this.metrics.bedrock(ref.key, 'Invocations')], leftYAxis: { min: 0 },
      }),
      new cloudwatch.GraphWidget({
        title: `${title}: AWS/Bedrock token counts (${region})`, width: 8, height: HEIGHT,
        left: [this.metrics.bedrock(ref.key, 'InputTokenCount'), this.metrics.bedrock(ref.key, 'OutputTokenCount')], leftYAxis: { min: 0 },
      }),
      new cloudwatch.GraphWidget({
        title: `${title}: AWS/Bedrock EstimatedTPMQuotaUsage (${region})`, width: 8, height: HEIGHT,
        left: [this.metrics.bedrock(ref.key, 'EstimatedTPMQuotaUsage')],
        leftAnnotations: [{ value: limits.tpm!, label: `${bucket.shared ? 'shared quota' : 'declared'} tpm ${limits.tpm}`, color: RED }], leftYAxis: { min: 0 },
      }),
    )];
  }
}
