import { Annotations, Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { Plan, RouterConfig } from '@headroom/plan';
import { propError } from './errors';

/** Lambda's hard ceiling on a function timeout. */
export const LAMBDA_MAX_TIMEOUT = Duration.minutes(15);
/** Lambda's memory range, MB. */
export const LAMBDA_MEMORY_MB = { min: 128, max: 10_240 } as const;
/** Streaming LLM responses is I/O bound; this buys enough CPU for JSON and SSE re-encoding without paying for idle cores. */
export const DEFAULT_MEMORY_MB = 1024;
export const DEFAULT_LOG_RETENTION = logs.RetentionDays.ONE_MONTH;
/** The state table holds minute windows that expire within minutes: nothing of value is lost. */
export const DEFAULT_STATE_TABLE_REMOVAL_POLICY = RemovalPolicy.DESTROY;
/** Time for admission, the shared-store round trips and telemetry around the upstream attempts. */
const TIMEOUT_MARGIN = Duration.seconds(30);

/** The router's sizing and lifecycle props, as the user may give them. */
export interface RouterSizingInput {
  readonly memorySize?: number;
  readonly timeout?: Duration;
  readonly reservedConcurrentExecutions?: number;
  readonly logRetention?: logs.RetentionDays;
  readonly stateTableRemovalPolicy?: RemovalPolicy;
}

/** The same props with defaults applied, every value checked. */
export interface RouterSizing {
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly reservedConcurrentExecutions?: number;
  readonly logRetention: logs.RetentionDays;
  readonly stateTableRemovalPolicy: RemovalPolicy;
}

const RETENTION_DAYS = new Set(Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number'));
// DynamoDB has no snapshot deletion policy (CloudFormation DeletionPolicy `Snapshot` is for volumes and databases).
const TABLE_REMOVAL_POLICIES: readonly RemovalPolicy[] = Object.values(RemovalPolicy).filter((p) => p !== RemovalPolicy.SNAPSHOT);

/** Applies the documented defaults and throws a `ValidationError` naming the prop for a value Lambda, Logs or DynamoDB would refuse. */
export function resolveRouterSizing(scope: Construct, plan: Plan, config: RouterConfig, props: RouterSizingInput): RouterSizing {
  const memorySize = props.memorySize ?? DEFAULT_MEMORY_MB;
  if (!Token.isUnresolved(memorySize) && (!Number.isInteger(memorySize) || memorySize < LAMBDA_MEMORY_MB.min || memorySize > LAMBDA_MEMORY_MB.max)) {
    throw propError(scope, {
      code: 'HeadroomRouterMemorySize', prop: 'memorySize', message: 'not a Lambda memory size', received: memorySize,
      allowed: `a whole number of MB from ${LAMBDA_MEMORY_MB.min} to ${LAMBDA_MEMORY_MB.max}`,
      fix: `omit memorySize for the ${DEFAULT_MEMORY_MB} MB default, or pass e.g. ${DEFAULT_MEMORY_MB * 2}`,
    });
  }
  const reserved = props.reservedConcurrentExecutions;
  if (reserved !== undefined && !Token.isUnresolved(reserved) && (!Number.isInteger(reserved) || reserved < 1)) {
    throw propError(scope, {
      code: 'HeadroomRouterReservedConcurrency', prop: 'reservedConcurrentExecutions', message: 'reserved concurrency must be a positive whole number',
      received: reserved, allowed: 'an integer >= 1 (0 would throttle every request)', fix: 'omit it for no reservation, or pass e.g. 50',
    });
  }
  const logRetention = props.logRetention ?? DEFAULT_LOG_RETENTION;
  if (!RETENTION_DAYS.has(logRetention)) {
    throw propError(scope, {
      code: 'HeadroomRouterLogRetention', prop: 'logRetention', message: 'not a CloudWatch Logs retention period', received: logRetention,
      allowed: `a logs.RetentionDays value (days: ${[...RETENTION_DAYS].join(', ')}; ${logs.RetentionDays.INFINITE} = never expire)`,
      fix: 'pass e.g. logs.RetentionDays.ONE_WEEK, or omit logRetention for one month',
    });
  }
  const stateTableRemovalPolicy = props.stateTableRemovalPolicy ?? DEFAULT_STATE_TABLE_REMOVAL_POLICY;
  if (!TABLE_REMOVAL_POLICIES.includes(stateTableRemovalPolicy)) {
    throw propError(scope, {
      code: 'HeadroomRouterStateTableRemovalPolicy', prop: 'stateTableRemovalPolicy', message: 'not a removal policy a DynamoDB table supports',
      received: stateTableRemovalPolicy, allowed: TABLE_REMOVAL_POLICIES.map((p) => `RemovalPolicy.${removalPolicyName(p)}`).join(', '),
      fix: 'pass RemovalPolicy.RETAIN to keep the table when the stack is deleted, or omit it (DESTROY: its items expire within minutes)',
    });
  }
  return {
    memorySize,
    timeout: resolveTimeout(scope, plan, config, props.timeout),
    ...(reserved !== undefined ? { reservedConcurrentExecutions: reserved } : {}),
    logRetention,
    stateTableRemovalPolicy,
  };
}

function removalPolicyName(policy: RemovalPolicy): string {
  return Object.entries(RemovalPolicy).find(([, value]) => value === policy)?.[0] ?? policy;
}

/**
 * The longest a request may take: failed attempts each end by `routing.timeouts.headersMs` (a
 * non-streaming call that timed out is not re-sent), then the serving attempt runs up to `totalMs`.
 */
function resolveTimeout(scope: Construct, plan: Plan, config: RouterConfig, requested: Duration | undefined): Duration {
  const max = LAMBDA_MAX_TIMEOUT.toSeconds();
  if (requested !== undefined) {
    const ms = requested.isUnresolved() ? undefined : requested.toMilliseconds();
    if (ms !== undefined && (ms < 1000 || ms > LAMBDA_MAX_TIMEOUT.toMilliseconds() || ms % 1000 !== 0)) {
      throw propError(scope, {
        code: 'HeadroomRouterTimeout', prop: 'timeout', message: 'not a timeout Lambda allows', received: requested.toHumanString(),
        allowed: `a whole number of seconds from 1 second to ${LAMBDA_MAX_TIMEOUT.toHumanString()}`,
        fix: 'omit timeout to derive it from routing.timeouts in the plan, or pass e.g. Duration.minutes(12)',
      });
    }
    return requested;
  }
  const { headersMs, totalMs } = config.routing.timeouts;
  const largestFamily = Math.max(...Object.values(plan.families).map((f) => Object.keys(f.targets).length));
  const derived = Math.ceil((totalMs + headersMs * (largestFamily - 1)) / 1000) + TIMEOUT_MARGIN.toSeconds();
  if (derived > max) {
    Annotations.of(scope).addWarningV2('headroom:timeoutCapped',
      `routing.timeouts.totalMs (${totalMs} ms) + headersMs (${headersMs} ms) x ${largestFamily - 1} failed attempts + ${TIMEOUT_MARGIN.toHumanString()} is ${derived} s, beyond Lambda's ${LAMBDA_MAX_TIMEOUT.toHumanString()} limit; ` +
      `the router timeout is capped at ${LAMBDA_MAX_TIMEOUT.toHumanString()}, so a response served after failovers may be cut short. Lower routing.timeouts.totalMs in the plan.`);
    return LAMBDA_MAX_TIMEOUT;
  }
  return Duration.seconds(derived);
}
