import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE, METRICS, type RouterTarget } from '@headroom/plan/runtime';

/** One upstream attempt of a request, as telemetry records it. */
export interface AttemptRecord {
  readonly target: RouterTarget;
  readonly outcome: 'success' | 'throttled' | 'overloaded' | 'server-error' | 'timeout' | 'connection-error' | 'client-error';
  readonly status?: number;
  readonly latencyMs: number;
  readonly retry: boolean;
  /** Raw rate-limit headers as the provider sent them, logged verbatim. */
  readonly rateLimitHeaders: Readonly<Record<string, string>>;
}

export interface RequestRecord {
  readonly requestId: string;
  readonly family: string;
  readonly api: string;
  readonly attempts: readonly AttemptRecord[];
  readonly retryBudgetDenials: readonly RouterTarget[];
  readonly clientStatus: number;
  readonly servedBy?: RouterTarget;
  readonly usage?: { readonly inputTokens: number; readonly outputTokens: number };
  readonly latencyMs: number;
  readonly timeToFirstByteMs?: number;
  /** Headroom % per target of the family after the request. */
  readonly headroom: readonly { readonly target: RouterTarget; readonly percent: number }[];
  /** Times the request was held for quota (plan `routing.hold`, hold.ts); absent means 0. */
  readonly holds?: number;
  /** How long those holds lasted in all, in ms of the router's clock. */
  readonly heldMs?: number;
}

/** Metrics as CloudWatch EMF (Powertools) with Family/Target/Provider/Region, and structured logs tagged with the region. */
export class RouterTelemetry {
  private readonly byDimensions = new Map<string, Metrics>();

  constructor(
    private readonly logger: Logger = new Logger({ serviceName: 'headroom-router' }),
    private readonly createMetrics: () => Metrics = () => new Metrics({ namespace: METRIC_NAMESPACE, serviceName: 'headroom-router' }),
  ) {}

  record(request: RequestRecord): void {
    for (const attempt of request.attempts) {
      const m = this.forTarget(attempt.target);
      m.addMetric(METRICS.requests, MetricUnit.Count, 1);
      if (attempt.outcome === 'throttled') m.addMetric(METRICS.upstreamThrottles, MetricUnit.Count, 1);
      if (attempt.outcome !== 'success' && attempt.outcome !== 'throttled' && attempt.outcome !== 'client-error') m.addMetric(METRICS.upstreamErrors, MetricUnit.Count, 1);
      if (attempt.retry) m.addMetric(METRICS.retries, MetricUnit.Count, 1);
      m.addMetric(METRICS.latency, MetricUnit.Milliseconds, attempt.latencyMs);
      m.publishStoredMetrics();
      this.logger.info('upstream attempt', {
        requestId: request.requestId, family: request.family, target: attempt.target.id, provider: attempt.target.provider,
        region: attempt.target.region, outcome: attempt.outcome, status: attempt.status, latencyMs: attempt.latencyMs,
        retry: attempt.retry, rateLimitHeaders: attempt.rateLimitHeaders,
      });
    }
    for (const target of request.retryBudgetDenials) {
      const m = this.forTarget(target);
      m.addMetric(METRICS.retryBudgetDenials, MetricUnit.Count, 1);
      m.publishStoredMetrics();
    }
    if (request.servedBy && request.usage) {
      const m = this.forTarget(request.servedBy);
      m.addMetric(METRICS.inputTokens, MetricUnit.Count, request.usage.inputTokens);
      m.addMetric(METRICS.outputTokens, MetricUnit.Count, request.usage.outputTokens);
      if (request.timeToFirstByteMs !== undefined) m.addMetric(METRICS.timeToFirstByte, MetricUnit.Milliseconds, request.timeToFirstByteMs);
      m.publishStoredMetrics();
    }
    for (const { target, percent } of request.headroom) {
      const m = this.forTarget(target);
      m.addMetric(METRICS.headroomPercent, MetricUnit.Percent, percent);
      m.publishStoredMetrics();
    }
    if (request.clientStatus === 429) {
      const m = this.withDimensions({ Family: request.family });
      m.addMetric(METRICS.clientThrottles, MetricUnit.Count, 1);
      m.publishStoredMetrics();
    }
    const holds = request.holds ?? 0;
    if (holds > 0) {
      // Per family, as ClientThrottles: a hold waits for the family's targets, not one of them.
      const m = this.withDimensions({ Family: request.family });
      m.addMetric(METRICS.holds, MetricUnit.Count, holds);
      m.addMetric(METRICS.heldMs, MetricUnit.Milliseconds, request.heldMs ?? 0);
      m.publishStoredMetrics();
    }
    this.logger.info('request', {
      requestId: request.requestId, family: request.family, api: request.api, clientStatus: request.clientStatus,
      target: request.servedBy?.id, region: request.servedBy?.region, attempts: request.attempts.length, latencyMs: request.latencyMs,
      holds, heldMs: request.heldMs ?? 0,
    });
  }

  private forTarget(target: RouterTarget): Metrics {
    return this.withDimensions({ ...target.dimensions });
  }

  /**
   * One Metrics per dimension set. Powertools adds a `service` dimension by default; dashboards and
   * alarms address metrics by exactly these dimensions, so it is cleared.
   */
  private withDimensions(dimensions: Record<string, string>): Metrics {
    const key = JSON.stringify(dimensions);
    let metrics = this.byDimensions.get(key);
    if (!metrics) {
      metrics = this.createMetrics();
      metrics.clearDefaultDimensions();
      metrics.setDefaultDimensions(dimensions);
      this.byDimensions.set(key, metrics);
    }
    return metrics;
  }
}
