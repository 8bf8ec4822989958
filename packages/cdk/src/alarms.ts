import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { alarmName, alarmSettings, resolveRouting, ROUTING_DEFAULTS, type AlarmKind, type AlarmSettings, type Api, type Plan, type TargetRef } from '@headroom/plan';
import type { HeadroomMetricFactory } from './metrics';

/** The three alarms every target gets, keyed by kind. */
export type TargetAlarms = Readonly<Record<AlarmKind, cloudwatch.Alarm>>;

/** What a client gets when failover is refused after an error (not a 429): the front door's outage reply. */
const OUTAGE_REPLY: Readonly<Record<Api, string>> = { anthropic: '529 overloaded_error', openai: '503 server_error' };

/**
 * Alarm factory: turns the metric factory's metrics into alarms named by `alarmName(plan, family,
 * target, kind)` (stable: derived from plan keys only) with thresholds read from the plan.
 */
export class HeadroomAlarmFactory {
  readonly settings: AlarmSettings;

  constructor(
    private readonly scope: Construct,
    private readonly plan: Plan,
    private readonly metrics: HeadroomMetricFactory,
    private readonly topic?: sns.ITopic,
  ) {
    this.settings = alarmSettings(plan);
  }

  /** Upstream 429 rate above `alarms.throttleRatePct` in 3 of 5 minutes; low headroom for `headroomPeriods` minutes; any retry-budget denial. */
  forTarget(ref: TargetRef): TargetAlarms {
    const { throttleRatePct, headroomBelowPct, headroomPeriods } = this.settings;
    return {
      'throttle-rate': this.alarm(ref, 'throttle-rate', {
        metric: this.metrics.upstreamThrottleRate(ref.key),
        threshold: throttleRatePct,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        alarmDescription: `Upstream 429s of ${ref.key} above ${throttleRatePct}% of attempts (plan alarms.throttleRatePct) in 3 of 5 minutes.`,
      }),
      'low-headroom': this.alarm(ref, 'low-headroom', {
        metric: this.metrics.headroomPercent(ref.key),
        threshold: headroomBelowPct,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: headroomPeriods,
        datapointsToAlarm: headroomPeriods,
        alarmDescription: `Headroom of ${ref.key} below ${headroomBelowPct}% (plan alarms.headroomBelowPct) for ${headroomPeriods} consecutive minutes (alarms.headroomPeriods).`,
      }),
      'retry-budget-exhausted': this.alarm(ref, 'retry-budget-exhausted', {
        metric: this.metrics.retryBudgetDenials(ref.key),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        alarmDescription: retryBudgetDescription(ref, resolveRouting(this.plan.routing).retryBudget),
      }),
    };
  }

  private alarm(ref: TargetRef, kind: AlarmKind, props: Omit<cloudwatch.CreateAlarmOptions, 'alarmName' | 'treatMissingData'> & { metric: cloudwatch.IMetric }): cloudwatch.Alarm {
    const { metric, ...options } = props;
    const alarm = new cloudwatch.Alarm(this.scope, `${ref.familyId}-${ref.targetId}-${kind}`, {
      ...options,
      metric,
      alarmName: alarmName(this.plan, ref.familyId, ref.targetId, kind),
      // No traffic means no throttles, no denials and full headroom.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (this.topic) {
      const action = new actions.SnsAction(this.topic);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    return alarm;
  }
}

/**
 * The budget is the family's (Envoy's: concurrent retries as a share of the family's active requests,
 * at least `minRetryConcurrency`), and the denial is counted on the target whose failure wanted the retry.
 */
function retryBudgetDescription(ref: TargetRef, retryBudget: number): string {
  return `A failover after ${ref.key} failed was refused by the retry budget of family ${ref.familyId} `
    + `(retries in flight at most ${Math.round(retryBudget * 100)}% of the family's requests in flight, never fewer than ${ROUTING_DEFAULTS.minRetryConcurrency}; routing.retryBudget). `
    + `The client got ${ref.key}'s 429 if it was throttled, otherwise ${OUTAGE_REPLY[ref.family.api]}, with retry-after, though another target may have had headroom.`;
}
