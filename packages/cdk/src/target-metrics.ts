import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { targetsOf, type FamilyIdOf, type Plan, type TargetIdOf, type TargetRef } from '@headroom/plan';
import { propError } from './errors';
import type { BedrockMetricName, HeadroomMetricFactory, MetricOptions } from './metrics';

/**
 * The metrics of one target, addressed by exactly the dimensions the router emits. Every method
 * takes `MetricOptions` that override its documented default statistic and period.
 */
export class TargetMetrics {
  constructor(private readonly factory: HeadroomMetricFactory, readonly ref: TargetRef) {}

  /** `family/target`. */
  get key(): string { return this.ref.key; }

  /** Upstream attempts. @default Sum over 1 minute (= requests per minute) */
  requests(options?: MetricOptions): cloudwatch.Metric { return this.factory.requests(this.key, options); }
  /** Upstream 429s. @default Sum over 1 minute */
  upstreamThrottles(options?: MetricOptions): cloudwatch.Metric { return this.factory.upstreamThrottles(this.key, options); }
  /** Upstream 429s as a % of attempts. @default Sum / Sum over 1 minute */
  upstreamThrottleRate(options?: MetricOptions): cloudwatch.MathExpression { return this.factory.upstreamThrottleRate(this.key, options); }
  /** Upstream 5xx, timeouts and connection errors. @default Sum over 1 minute */
  upstreamErrors(options?: MetricOptions): cloudwatch.Metric { return this.factory.upstreamErrors(this.key, options); }
  /** Attempts that were failover retries. @default Sum over 1 minute */
  retries(options?: MetricOptions): cloudwatch.Metric { return this.factory.retries(this.key, options); }
  /** Failovers after this target failed that the family's retry budget refused. @default Sum over 1 minute */
  retryBudgetDenials(options?: MetricOptions): cloudwatch.Metric { return this.factory.retryBudgetDenials(this.key, options); }
  /** Remaining share of the target's tightest bucket, %. @default Minimum over 1 minute */
  headroomPercent(options?: MetricOptions): cloudwatch.Metric { return this.factory.headroomPercent(this.key, options); }
  /** Input tokens served. @default Sum over 1 minute */
  inputTokens(options?: MetricOptions): cloudwatch.Metric { return this.factory.inputTokens(this.key, options); }
  /** Output tokens served. @default Sum over 1 minute */
  outputTokens(options?: MetricOptions): cloudwatch.Metric { return this.factory.outputTokens(this.key, options); }
  /** Tokens as the provider's TPM quota counts them (Bedrock's output burn applied). @default Sum over 1 minute */
  quotaTokens(options?: MetricOptions): cloudwatch.MathExpression { return this.factory.quotaTokens(this.key, options); }
  /** Upstream attempt latency, ms. @default p99 over 1 minute */
  latency(options?: MetricOptions): cloudwatch.Metric { return this.factory.latency(this.key, options); }
  /** Time to first byte of served responses, ms. @default p90 over 1 minute */
  timeToFirstByte(options?: MetricOptions): cloudwatch.Metric { return this.factory.timeToFirstByte(this.key, options); }
  /**
   * A native `AWS/Bedrock` metric of a Bedrock target, in the target's own region. Throws for a
   * target on another provider. @default Sum over 1 minute
   */
  bedrock(metricName: BedrockMetricName, options?: MetricOptions): cloudwatch.Metric { return this.factory.bedrock(this.key, metricName, options); }
}

/** The metrics of one family: what its clients saw, and each of its targets. */
export class FamilyMetrics {
  constructor(private readonly factory: HeadroomMetricFactory, readonly familyId: string, readonly targets: readonly TargetMetrics[]) {}

  /** 429s the family's clients saw (every eligible target exhausted). @default Sum over 1 minute */
  clientThrottles(options?: MetricOptions): cloudwatch.Metric { return this.factory.clientThrottles(this.familyId, options); }
  /** Times the family's requests were held for quota (plan `routing.hold`) instead of answered 429. @default Sum over 1 minute */
  holds(options?: MetricOptions): cloudwatch.Metric { return this.factory.holds(this.familyId, options); }
  /** How long each held request waited in all, in ms. @default p90 over 1 minute */
  heldMs(options?: MetricOptions): cloudwatch.Metric { return this.factory.heldMs(this.familyId, options); }
}

/**
 * Metric helpers addressed by plan keys. With a plan from `definePlan` (or `Plan.fromObject`) the
 * family and target ids are checked by TypeScript; with a YAML plan an unknown id throws a
 * `ValidationError` that lists the valid ones.
 *
 * ```ts
 * headroom.metrics.target('chatbot', 'bedrock-us-east-1').upstreamThrottles()
 * headroom.metrics.family('chatbot').clientThrottles()
 * ```
 */
export class HeadroomMetrics<P extends Plan = Plan> {
  private readonly byFamily: ReadonlyMap<string, ReadonlyMap<string, TargetMetrics>>;

  constructor(private readonly scope: Construct, plan: P, private readonly factory: HeadroomMetricFactory) {
    const byFamily = new Map<string, Map<string, TargetMetrics>>();
    for (const ref of targetsOf(plan)) {
      const family = byFamily.get(ref.familyId) ?? new Map<string, TargetMetrics>();
      family.set(ref.targetId, new TargetMetrics(factory, ref));
      byFamily.set(ref.familyId, family);
    }
    this.byFamily = byFamily;
  }

  /** One target's metrics. */
  target<F extends FamilyIdOf<P>>(familyId: F, targetId: TargetIdOf<P, F>): TargetMetrics {
    const targets = this.familyTargets(familyId);
    const metrics = targets.get(targetId);
    if (!metrics) {
      throw propError(this.scope, {
        code: 'HeadroomUnknownTarget', prop: 'targetId', message: `no such target in family '${familyId}'`, received: targetId,
        allowed: [...targets.keys()].join(', '), fix: `pass a target id of family '${familyId}' from the plan`,
      });
    }
    return metrics;
  }

  /** One family's metrics. */
  family(familyId: FamilyIdOf<P>): FamilyMetrics {
    return new FamilyMetrics(this.factory, familyId, [...this.familyTargets(familyId).values()]);
  }

  /** Every target's metrics, by family id then target id. */
  all(): TargetMetrics[] {
    return [...this.byFamily.values()].flatMap((targets) => [...targets.values()]);
  }

  private familyTargets(familyId: string): ReadonlyMap<string, TargetMetrics> {
    const targets = this.byFamily.get(familyId);
    if (!targets) {
      throw propError(this.scope, {
        code: 'HeadroomUnknownFamily', prop: 'familyId', message: 'no such family in the plan', received: familyId,
        allowed: [...this.byFamily.keys()].join(', '), fix: 'pass a family id from the plan',
      });
    }
    return targets;
  }
}
