import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Annotations, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { compileRouterConfig, routerRoleName, stateTableName, targetsOf, type Plan, type RouterConfig } from '@headroom/plan';
import { warnIfAzureClientIdMissing } from './azure-client-id';
import { apiKeySecrets, BEDROCK_INVOKE_ACTIONS, bedrockStatements, webIdentityAudiences } from './bedrock-access';
import { propError } from './errors';
import { HeadroomMetricFactory, type MetricOptions } from './metrics';
import { resolveRouterSizing } from './router-props';

/**
 * The state table's key schema, as the router's DynamoDB store (`router-lambda/src/store/dynamodb-store.ts`,
 * `STATE_TABLE`) reads and writes it. A test checks the two agree.
 */
export const STATE_TABLE = { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' } as const;

/** Environment variable carrying the state table name into the router. */
export const STATE_TABLE_ENV = 'HEADROOM_STATE_TABLE';
/** Set to `1` when `exposeStatus` is on: the router then answers `GET /status`. */
export const EXPOSE_STATUS_ENV = 'HEADROOM_EXPOSE_STATUS';
/** The compiled RouterConfig is substituted for this expression at bundle time (esbuild `define`). */
export const ROUTER_CONFIG_DEFINE = 'process.env.HEADROOM_ROUTER_CONFIG';

export interface HeadroomRouterProps {
  /** The validated quota plan (`Plan.fromFile`, `Plan.fromObject` or `definePlan`). */
  readonly plan: Plan;
  /**
   * The router's Lambda entry file, exporting `handler` (a Function URL RESPONSE_STREAM handler).
   * @default `src/lambda.ts` of the `@headroom/router-lambda` package
   */
  readonly entry?: string;
  /**
   * Memory in MB, 128 to 10,240. Streaming LLM responses is I/O bound; 1,024 MB buys enough CPU
   * for JSON and SSE re-encoding without paying for idle cores.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Function timeout, 1 second to 15 minutes. A request may fail over through its family's targets,
   * each failed attempt bounded by `routing.timeouts.headersMs`, then be served for up to `totalMs`.
   * @default routing.timeouts.totalMs + headersMs x (targets in the largest family - 1) + 30 s, at most 15 minutes
   */
  readonly timeout?: Duration;
  /**
   * Reserved concurrency: caps how many requests run at once (and reserves them from the account pool).
   * @default no reservation
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * How long the router's log group keeps logs (rate-limit headers, routing decisions, EMF metrics).
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Function URL auth. `NONE` opens the router to the internet and raises the acknowledgeable
   * warning `headroom:openFunctionUrl`.
   * @default FunctionUrlAuthType.AWS_IAM
   */
  readonly functionUrlAuthType?: lambda.FunctionUrlAuthType;
  /**
   * What happens to the state table when the stack is deleted. Its items are minute windows that
   * expire after three minutes, so nothing of value is lost. `SNAPSHOT` is refused: DynamoDB has none.
   * @default RemovalPolicy.DESTROY
   */
  readonly stateTableRemovalPolicy?: RemovalPolicy;
  /**
   * Answer `GET /status` (each target's limits, live headroom, cooldowns and breakers) to whoever
   * can call the Function URL. Off, `/status` is 404 and `/healthz` says only `ok` and the plan digest.
   * @default false
   */
  readonly exposeStatus?: boolean;
}

/**
 * The Headroom router: the Lambda bundled from `router-lambda` with the compiled RouterConfig
 * embedded, its Function URL (response streaming, IAM auth), the state table, and an IAM role
 * allowed exactly what the plan needs.
 */
export class HeadroomRouter extends Construct {
  readonly plan: Plan;
  /** The RouterConfig embedded in the bundle. */
  readonly routerConfig: RouterConfig;
  readonly function: nodejs.NodejsFunction;
  readonly functionUrl: lambda.FunctionUrl;
  readonly role: iam.Role;
  readonly stateTable: dynamodb.Table;
  readonly logGroup: logs.LogGroup;
  /** The esbuild `define` map the bundle is built with (the RouterConfig as a JS string literal). */
  readonly define: Readonly<Record<string, string>>;
  /** The metric factory the dashboard and alarms use. */
  readonly metrics: HeadroomMetricFactory;

  constructor(scope: Construct, id: string, props: HeadroomRouterProps) {
    super(scope, id);
    this.plan = props.plan;
    this.routerConfig = compileRouterConfig(props.plan);
    this.metrics = new HeadroomMetricFactory(props.plan);
    checkEnvironment(this, props.plan);
    warnIfAzureClientIdMissing(this, this.routerConfig);

    const sizing = resolveRouterSizing(this, props.plan, this.routerConfig, props);
    const entry = this.resolveEntry(props.entry);
    this.define = { [ROUTER_CONFIG_DEFINE]: JSON.stringify(JSON.stringify(this.routerConfig)) };

    this.stateTable = new dynamodb.Table(this, 'State', {
      tableName: stateTableName(props.plan),
      partitionKey: { name: STATE_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: STATE_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: STATE_TABLE.ttlAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: sizing.stateTableRemovalPolicy,
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: sizing.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Named from the plan: Azure and GCP trust this role by name (routerRoleArn) with no cross-stack reference.
    this.role = new iam.Role(this, 'Role', {
      roleName: routerRoleName(props.plan),
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Headroom router for plan ${props.plan.name}: Bedrock, state table, secrets and outbound web identity exactly as the plan declares`,
    });
    this.grantPlanAccess();

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      depsLockFilePath: findLockFile(this, entry),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: sizing.memorySize,
      timeout: sizing.timeout,
      role: this.role,
      logGroup: this.logGroup,
      description: `Headroom router (${props.plan.name}, plan ${this.routerConfig.planDigest.slice(0, 12)})`,
      ...(sizing.reservedConcurrentExecutions !== undefined ? { reservedConcurrentExecutions: sizing.reservedConcurrentExecutions } : {}),
      environment: { [STATE_TABLE_ENV]: this.stateTable.tableName, ...(props.exposeStatus ? { [EXPOSE_STATUS_ENV]: '1' } : {}) },
      bundling: {
        minify: true,
        target: 'node22',
        format: nodejs.OutputFormat.CJS,
        // Prefer packages' ES module builds, which the bundler can tree-shake (1.4 MB -> 1.1 MB).
        mainFields: ['module', 'main'],
        // Bundle the AWS SDK too: the router needs newer clients than the runtime may ship
        // (STS GetWebIdentityToken), and a bundle pins the versions the tests ran against.
        externalModules: [],
        define: { ...this.define },
      },
    });
    this.logGroup.grantWrite(this.role);

    const authType = props.functionUrlAuthType ?? lambda.FunctionUrlAuthType.AWS_IAM;
    if (authType === lambda.FunctionUrlAuthType.NONE) {
      Annotations.of(this).addWarningV2('headroom:openFunctionUrl',
        'functionUrlAuthType is NONE: anyone on the internet can spend this plan\'s LLM quota through the router URL. ' +
        'Keep AWS_IAM and call it with signedFetch() from @headroom/client, or acknowledge this warning if something in front authenticates callers.');
    }
    this.functionUrl = this.function.addFunctionUrl({ authType, invokeMode: lambda.InvokeMode.RESPONSE_STREAM });

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'The router is built and tested for nodejs22.x (esbuild target node22); a runtime upgrade is a deliberate, tested change.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'sts:GetWebIdentityToken has no resource type; the statement is scoped by sts:IdentityTokenAudience to Entra ID token exchange only.',
    });
    Validations.of(this.stateTable).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason: 'The state table holds 10-second rate windows and cooldowns that expire within three minutes (TTL); there is nothing to restore.',
    });
  }

  /** The base URL clients use (`baseURL` of the Anthropic and OpenAI SDKs). */
  get url(): string {
    return this.functionUrl.url;
  }

  /**
   * Allow a principal to call the router's Function URL (`lambda:InvokeFunctionUrl` and, through
   * the URL only, `lambda:InvokeFunction`). Safe to call twice: the second call returns the same grant.
   */
  grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.functionUrl.grantInvokeUrl(grantee);
  }

  /** Upstream attempts to a target (`family/target`). @default Sum over 1 minute (= RPM) */
  metricRequests(target: string, options?: MetricOptions) { return this.metrics.requests(this.key(target), options); }
  /** Upstream 429s of a target. @default Sum over 1 minute */
  metricUpstreamThrottles(target: string, options?: MetricOptions) { return this.metrics.upstreamThrottles(this.key(target), options); }
  /** Upstream 429s as a % of attempts. @default Sum/Sum over 1 minute */
  metricUpstreamThrottleRate(target: string, options?: MetricOptions) { return this.metrics.upstreamThrottleRate(this.key(target), options); }
  /** Upstream 5xx, timeouts and connection errors. @default Sum over 1 minute */
  metricUpstreamErrors(target: string, options?: MetricOptions) { return this.metrics.upstreamErrors(this.key(target), options); }
  /** Failover retries a target received. @default Sum over 1 minute */
  metricRetries(target: string, options?: MetricOptions) { return this.metrics.retries(this.key(target), options); }
  /** Failovers after this target failed that the family's retry budget refused. @default Sum over 1 minute */
  metricRetryBudgetDenials(target: string, options?: MetricOptions) { return this.metrics.retryBudgetDenials(this.key(target), options); }
  /** Remaining share of the target's tightest bucket, %. @default Minimum over 1 minute */
  metricHeadroomPercent(target: string, options?: MetricOptions) { return this.metrics.headroomPercent(this.key(target), options); }
  /** Input tokens served. @default Sum over 1 minute */
  metricInputTokens(target: string, options?: MetricOptions) { return this.metrics.inputTokens(this.key(target), options); }
  /** Output tokens served. @default Sum over 1 minute */
  metricOutputTokens(target: string, options?: MetricOptions) { return this.metrics.outputTokens(this.key(target), options); }
  /** Upstream attempt latency, ms. @default p99 over 1 minute */
  metricLatency(target: string, options?: MetricOptions) { return this.metrics.latency(this.key(target), options); }
  /** Time to first byte, ms. @default p90 over 1 minute */
  metricTimeToFirstByte(target: string, options?: MetricOptions) { return this.metrics.timeToFirstByte(this.key(target), options); }
  /** 429s clients of a family saw. @default Sum over 1 minute */
  metricClientThrottles(familyId: string, options?: MetricOptions): cloudwatch.Metric {
    if (!this.plan.families[familyId]) {
      throw propError(this, {
        code: 'HeadroomUnknownFamily', prop: 'familyId', message: 'no such family in the plan', received: familyId,
        allowed: Object.keys(this.plan.families).sort().join(', '), fix: 'pass a family id from the plan',
      });
    }
    return this.metrics.clientThrottles(familyId, options);
  }

  private key(target: string): string {
    if (this.metrics.ref(target)) return target;
    throw propError(this, {
      code: 'HeadroomUnknownTarget', prop: 'target', message: 'no such target in the plan', received: target,
      allowed: targetsOf(this.plan).map((r) => r.key).join(', '), fix: 'pass the target as `family/target`, e.g. the key in the plan',
    });
  }

  private resolveEntry(requested: string | undefined): string {
    const entry = requested ?? defaultRouterEntry();
    if (!entry || !existsSync(entry)) {
      throw propError(this, {
        code: 'HeadroomRouterEntry', prop: 'entry', message: 'the router entry file does not exist', received: entry ?? '@headroom/router-lambda (not installed)',
        allowed: 'a .ts or .js file exporting `handler`', fix: 'install @headroom/router-lambda, or pass entry: path to your router handler',
      });
    }
    return entry;
  }

  /** Bedrock, secrets, STS and the state table: exactly what the plan declares. */
  private grantPlanAccess(): void {
    for (const statement of bedrockStatements(this.plan)) {
      this.role.addToPolicy(new iam.PolicyStatement({
        sid: statement.sid,
        actions: [...BEDROCK_INVOKE_ACTIONS],
        resources: [...statement.resources],
        ...(statement.conditions ? { conditions: statement.conditions as Record<string, unknown> } : {}),
      }));
    }
    for (const secret of apiKeySecrets(this.routerConfig)) {
      // Construct ids come from the secret's name, never its position in the list.
      const id = `ApiKey-${secret.replace(/[^A-Za-z0-9-]/g, '-')}`;
      const ref = secret.startsWith('arn:')
        ? secretsmanager.Secret.fromSecretCompleteArn(this, id, secret)
        : secretsmanager.Secret.fromSecretNameV2(this, id, secret);
      ref.grantRead(this.role);
    }
    const audiences = webIdentityAudiences(this.routerConfig);
    if (audiences.length > 0) {
      this.role.addToPolicy(new iam.PolicyStatement({
        sid: 'OutboundWebIdentity',
        actions: ['sts:GetWebIdentityToken'],
        // GetWebIdentityToken has no resource type; the audience condition scopes it to Entra ID.
        resources: ['*'],
        conditions: { 'ForAllValues:StringLike': { 'sts:IdentityTokenAudience': audiences } },
      }));
    }
    this.stateTable.grantReadWriteData(this.role);
  }
}

/** The default router entry: `src/lambda.ts` of the installed `@headroom/router-lambda`. */
export function defaultRouterEntry(): string | undefined {
  try {
    return path.join(path.dirname(require.resolve('@headroom/router-lambda/package.json')), 'src', 'lambda.ts');
  } catch {
    return undefined;
  }
}

const LOCK_FILES = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb'];

function findLockFile(scope: Construct, entry: string): string {
  for (let dir = path.dirname(path.resolve(entry)); ; dir = path.dirname(dir)) {
    for (const name of LOCK_FILES) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    if (path.dirname(dir) === dir) break;
  }
  throw propError(scope, {
    code: 'HeadroomRouterLockFile', prop: 'entry', message: 'no lock file above the entry; esbuild bundling needs the project root', received: entry,
    allowed: `an entry inside a project with one of ${LOCK_FILES.join(', ')}`, fix: 'run npm install in the project holding the entry',
  });
}

/** The stack must deploy where the plan says the router runs. */
function checkEnvironment(scope: Construct, plan: Plan): void {
  const stack = Stack.of(scope);
  if (!Token.isUnresolved(stack.account) && stack.account !== plan.aws.account) {
    throw propError(scope, {
      code: 'HeadroomAccountMismatch', prop: 'plan.aws.account', message: 'the stack deploys to a different account than the plan declares',
      received: `stack account ${stack.account}, plan account ${plan.aws.account}`, allowed: 'the same account',
      fix: 'create the stack with env: Headroom.envOf(plan) (or fix aws.account in the plan)',
    });
  }
  if (!Token.isUnresolved(stack.region) && stack.region !== plan.aws.region) {
    throw propError(scope, {
      code: 'HeadroomRegionMismatch', prop: 'plan.aws.region', message: 'the stack deploys to a different region than the plan declares',
      received: `stack region ${stack.region}, plan region ${plan.aws.region}`, allowed: 'the same region',
      fix: 'create the stack with env: Headroom.envOf(plan) (or fix aws.region in the plan)',
    });
  }
}
