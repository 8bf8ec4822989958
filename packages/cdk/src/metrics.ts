import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { catalog, costModelOf, METRIC_NAMESPACE, METRICS, metricDimensions, targetsOf, type Plan, type TargetRef } from '@headroom/plan';

/** Options every metric helper accepts; anything set here overrides the documented default. */
export type MetricOptions = cloudwatch.MetricOptions;

/** Router metrics are emitted per request; one minute matches the plan's per-minute limits. */
export const DEFAULT_PERIOD = Duration.minutes(1);

/**
 * Metric factory: makes metrics only, addressed by exactly the dimensions the router emits
 * (`metricDimensions`: Family, Target, Provider, Region). Widgets and alarms are built elsewhere.
 * Native `AWS/Bedrock` metrics carry the target's `region`, which lets one dashboard span regions.
 */
export class HeadroomMetricFactory {
  private readonly refs: ReadonlyMap<string, TargetRef>;

  constructor(private readonly plan: Plan) {
    this.refs = new Map(targetsOf(plan).map((ref) => [ref.key, ref]));
  }

  /** The target for a `family/target` key, or undefined. */
  ref(key: string): TargetRef | undefined {
    return this.refs.get(key);
  }

  private target(key: string): TargetRef {
    const ref = this.refs.get(key);
    // Callers (the constructs) validate keys with their construct path first.
    if (!ref) throw new Error(`unknown target '${key}'; known: ${[...this.refs.keys()].join(', ')}`);
    return ref;
  }

  private metric(key: string, metricName: string, statistic: string, options?: MetricOptions): cloudwatch.Metric {
    const ref = this.target(key);
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { ...metricDimensions(ref) },
      statistic,
      period: DEFAULT_PERIOD,
      label: `${ref.targetId} ${metricName}`,
      ...options,
    });
  }

  /** Upstream attempts. @default Sum over 1 minute (= requests per minute) */
  requests(key: string, options?: MetricOptions) { return this.metric(key, METRICS.requests, 'Sum', options); }
  /** Upstream 429s. @default Sum over 1 minute */
  upstreamThrottles(key: string, options?: MetricOptions) { return this.metric(key, METRICS.upstreamThrottles, 'Sum', options); }
  /** Upstream 5xx, timeouts and connection errors. @default Sum over 1 minute */
  upstreamErrors(key: string, options?: MetricOptions) { return this.metric(key, METRICS.upstreamErrors, 'Sum', options); }
  /** Attempts that were failover retries. @default Sum over 1 minute */
  retries(key: string, options?: MetricOptions) { return this.metric(key, METRICS.retries, 'Sum', options); }
  /** Failovers after this target failed that the family's retry budget refused. @default Sum over 1 minute */
  retryBudgetDenials(key: string, options?: MetricOptions) { return this.metric(key, METRICS.retryBudgetDenials, 'Sum', options); }
  /** Remaining share of the tightest bucket. @default Minimum over 1 minute (the worst moment) */
  headroomPercent(key: string, options?: MetricOptions) { return this.metric(key, METRICS.headroomPercent, 'Minimum', options); }
  /** Input tokens served. @default Sum over 1 minute (= ITPM used) */
  inputTokens(key: string, options?: MetricOptions) { return this.metric(key, METRICS.inputTokens, 'Sum', options); }
  /** Output tokens served. @default Sum over 1 minute (= OTPM used) */
  outputTokens(key: string, options?: MetricOptions) { return this.metric(key, METRICS.outputTokens, 'Sum', options); }
  /** Upstream attempt latency in ms. @default p99 over 1 minute */
  latency(key: string, options?: MetricOptions) { return this.metric(key, METRICS.latency, 'p99', options); }
  /** Time to first byte of served responses in ms. @default p90 over 1 minute */
  timeToFirstByte(key: string, options?: MetricOptions) { return this.metric(key, METRICS.timeToFirstByte, 'p90', options); }

  /** 429s clients saw (every eligible target exhausted); only the Family dimension. @default Sum over 1 minute */
  clientThrottles(familyId: string, options?: MetricOptions): cloudwatch.Metric {
    return this.familyMetric(familyId, METRICS.clientThrottles, 'Sum', `${familyId} client 429s`, options);
  }

  /** Times requests were held for quota (plan `routing.hold`) instead of answered 429; only the Family dimension. @default Sum over 1 minute */
  holds(familyId: string, options?: MetricOptions): cloudwatch.Metric {
    return this.familyMetric(familyId, METRICS.holds, 'Sum', `${familyId} holds`, options);
  }

  /** How long held requests waited in all, in ms, one value per held request; only the Family dimension. @default p90 over 1 minute */
  heldMs(familyId: string, options?: MetricOptions): cloudwatch.Metric {
    return this.familyMetric(familyId, METRICS.heldMs, 'p90', `${familyId} held ms (p90)`, options);
  }

  private familyMetric(familyId: string, metricName: string, statistic: string, label: string, options?: MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE, metricName, dimensionsMap: { Family: familyId }, statistic, period: DEFAULT_PERIOD, label, ...options,
    });
  }

  /**
   * Upstream 429s as a percentage of attempts: `100 * UpstreamThrottles / Requests`.
   * @default both Sum over 1 minute
   */
  upstreamThrottleRate(key: string, options?: MetricOptions): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * throttles / requests, 0)',
      usingMetrics: { throttles: this.upstreamThrottles(key, options), requests: this.requests(key, options) },
      period: options?.period ?? DEFAULT_PERIOD,
      label: `${this.target(key).targetId} upstream 429 rate (%)`,
    });
  }

  /**
   * Tokens per minute as the provider's TPM quota counts them: input + output, with Bedrock's output
   * burndown applied (Claude 4.x output tokens count 5x against TPM).
   * @default Sum over 1 minute
   */
  quotaTokens(key: string, options?: MetricOptions): cloudwatch.MathExpression {
    const ref = this.target(key);
    const cost = costModelOf(ref.target);
    const burn = cost.kind === 'reserve-then-burn' ? cost.outputBurn : 1;
    return new cloudwatch.MathExpression({
      expression: burn === 1 ? 'FILL(tin, 0) + FILL(tout, 0)' : `FILL(tin, 0) + ${burn} * FILL(tout, 0)`,
      usingMetrics: { tin: this.inputTokens(key, options), tout: this.outputTokens(key, options) },
      period: options?.period ?? DEFAULT_PERIOD,
      label: burn === 1 ? `${ref.targetId} TPM used` : `${ref.targetId} TPM used (input + ${burn}x output)`,
    });
  }

  /**
   * A native `AWS/Bedrock` metric of a Bedrock target, in the target's own region, addressed by the
   * model id the router invokes (the inference profile id). Throws for a non-Bedrock target.
   * @default Sum over 1 minute
   */
  bedrock(key: string, metricName: BedrockMetricName, options?: MetricOptions): cloudwatch.Metric {
    const ref = this.target(key);
    if (ref.target.provider !== 'bedrock') throw new Error(`target '${key}' is ${ref.target.provider}, not bedrock`);
    const modelId = catalog.bedrockInvokeId(ref.target.model, ref.target.profile);
    return new cloudwatch.Metric({
      namespace: 'AWS/Bedrock', metricName, dimensionsMap: { ModelId: modelId }, region: ref.target.region,
      statistic: 'Sum', period: DEFAULT_PERIOD, label: `${ref.target.region} ${metricName}`, ...options,
    });
  }

  /** Every target key of a family, sorted. */
  familyTargets(familyId: string): string[] {
    return [...this.refs.values()].filter((r) => r.familyId === familyId).map((r) => r.key);
  }

  get planName(): string { return this.plan.name; }
}

/** The native Bedrock runtime metrics the dashboard shows (namespace `AWS/Bedrock`, dimension `ModelId`). */
export type BedrockMetricName = 'Invocations' | 'InvocationThrottles' | 'InputTokenCount' | 'OutputTokenCount' | 'EstimatedTPMQuotaUsage' | 'InvocationLatency';
