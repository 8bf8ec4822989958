import {
  CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException, ResourceNotFoundException, type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { ScaledClock } from '@headroom/emulator';
import { compileRouterConfig, type RouterConfig } from '@headroom/plan';
import {
  createLocalRouter, DynamoDbSharedStore, emulatorAdapterDeps, LOCAL_SIGV4_CREDENTIALS, requireSigV4, RouterTelemetry, scaledTimers, startNodeServer, STATE_TABLE,
  UnknownUpstreamError, withUpstreams, type Timers,
} from '@headroom/router-lambda';
import type { Command } from 'commander';
import { listenFailure, UserError } from '../errors';
import type { Io } from '../io';
import { loadOrFail, resolvePlanFile } from '../plan-file';
import { parseNumberOption } from './formats';

interface ServeOptions {
  port: string;
  host: string;
  upstream: string[];
  emulator?: string;
  seed?: string;
  verifySigv4?: boolean;
  log?: boolean;
  storeTable?: string;
  storeEndpoint?: string;
  storeRegion: string;
  storeCreate?: boolean;
}

/** Fake credentials for a local DynamoDB-compatible store (dynalite, DynamoDB Local): they sign, nobody checks them. */
const LOCAL_STORE_CREDENTIALS = { accessKeyId: 'AKIDHEADROOMLOCAL', secretAccessKey: 'headroom-local-not-a-secret' };
/** Startup and per-call bounds, so an unreachable store fails fast instead of hanging the router. */
const STORE_CONNECT_TIMEOUT_MS = 2_000;
const STORE_REQUEST_TIMEOUT_MS = 5_000;
/** How long `--store-create` waits for a new table to become ACTIVE (dynalite: ~0.5 s by default). */
const STORE_CREATE_WAIT_MS = 30_000;

interface StoreSettings { readonly table: string; readonly endpoint?: string; readonly region: string; readonly create: boolean; readonly localCredentials: boolean }

/** The --store-* options checked, or undefined when no shared store is asked for. */
export function storeSettings(options: Pick<ServeOptions, 'storeTable' | 'storeEndpoint' | 'storeRegion' | 'storeCreate'>): StoreSettings | undefined {
  if (options.storeTable === undefined) {
    const stray = options.storeEndpoint !== undefined ? '--store-endpoint' : options.storeCreate ? '--store-create' : undefined;
    if (stray) throw new UserError(`${stray} needs --store-table`, 'e.g. --store-table headroom-state --store-endpoint http://127.0.0.1:8000');
    return undefined;
  }
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html: 3-255 of a-z A-Z 0-9 _ - .
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(options.storeTable)) {
    throw new UserError(`--store-table ${JSON.stringify(options.storeTable)} is not a DynamoDB table name`, 'use 3 to 255 letters, digits, _ - or .');
  }
  // Region codes: https://docs.aws.amazon.com/general/latest/gr/rande.html (us-east-1, us-gov-west-1, ap-southeast-2, ...).
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(options.storeRegion)) {
    throw new UserError(`--store-region ${JSON.stringify(options.storeRegion)} is not an AWS region`, 'e.g. --store-region us-east-1');
  }
  if (options.storeEndpoint !== undefined) {
    let url: URL | undefined;
    try { url = new URL(options.storeEndpoint); } catch { url = undefined; }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search !== '' || url.username !== '') {
      throw new UserError(`--store-endpoint ${JSON.stringify(options.storeEndpoint)} is not an http(s)://host:port URL`, 'e.g. --store-endpoint http://127.0.0.1:8000 (dynalite or DynamoDB Local)');
    }
  }
  // A store on loopback (dynalite, DynamoDB Local) checks no signature; one fixed key keeps every process on one database.
  // Anywhere else (real DynamoDB, even beside --emulator) the default credential chain signs.
  const loopback = options.storeEndpoint !== undefined && ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(options.storeEndpoint).hostname);
  return {
    table: options.storeTable, region: options.storeRegion, create: options.storeCreate === true, localCredentials: loopback,
    ...(options.storeEndpoint !== undefined ? { endpoint: options.storeEndpoint } : {}),
  };
}

/** A DynamoDB client for the store, after checking the table is there (or creating it) with the router's key schema. */
async function openStoreClient(settings: StoreSettings): Promise<DynamoDBClient> {
  const client = new DynamoDBClient({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.localCredentials ? { credentials: LOCAL_STORE_CREDENTIALS } : {}),
    requestHandler: { connectionTimeout: STORE_CONNECT_TIMEOUT_MS, requestTimeout: STORE_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
    maxAttempts: 2,
  });
  const where = `${settings.table} at ${settings.endpoint ?? `DynamoDB ${settings.region}`}`;
  try {
    let table = await describeTable(client, settings.table);
    if (!table && settings.create) table = await createTable(client, settings.table);
    if (!table) throw new UserError(`the store table ${where} does not exist`, `create it (key ${STATE_TABLE.partitionKey} string hash, ${STATE_TABLE.sortKey} string range) or pass --store-create`);
    const keys = (table.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).sort().join(',');
    if (keys !== `${STATE_TABLE.partitionKey}:HASH,${STATE_TABLE.sortKey}:RANGE`) {
      throw new UserError(`the store table ${where} has key schema ${keys || 'none'}, not ${STATE_TABLE.partitionKey} (hash) + ${STATE_TABLE.sortKey} (range)`, 'use a table made for the Headroom router (the CDK construct, or --store-create on a new name)');
    }
    return client;
  } catch (error) {
    client.destroy();
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot use the store table ${where}: ${(error as Error).name}: ${(error as Error).message}`, 'check --store-endpoint, --store-region and the AWS credentials');
  }
}

async function describeTable(client: DynamoDBClient, table: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: table }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** Create the table the CDK construct would (on-demand, pk/sk strings); another process creating it at once is fine. */
async function createTable(client: DynamoDBClient, table: string): Promise<TableDescription | undefined> {
  try {
    await client.send(new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: STATE_TABLE.partitionKey, AttributeType: 'S' }, { AttributeName: STATE_TABLE.sortKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: STATE_TABLE.partitionKey, KeyType: 'HASH' }, { AttributeName: STATE_TABLE.sortKey, KeyType: 'RANGE' }],
    }));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const deadline = Date.now() + STORE_CREATE_WAIT_MS;
  for (;;) {
    const described = await describeTable(client, table);
    if (described?.TableStatus === 'ACTIVE') return described;
    if (Date.now() > deadline) throw new UserError(`the store table ${table} was not ACTIVE after ${STORE_CREATE_WAIT_MS / 1000} s (${described?.TableStatus ?? 'missing'})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What a running `headroom emulate` tells: each target's URL and its clock. */
async function fromEmulator(adminUrl: string): Promise<{ upstreams: Record<string, string>; now: number; timeScale: number }> {
  try {
    const targets = await (await fetch(`${adminUrl}/targets`)).json() as { targets: Record<string, { baseUrl: string }> };
    const clock = await (await fetch(`${adminUrl}/clock`)).json() as { now: number; timeScale?: number };
    return { upstreams: Object.fromEntries(Object.entries(targets.targets).map(([key, t]) => [key, t.baseUrl])), now: clock.now, timeScale: clock.timeScale ?? 1 };
  } catch (error) {
    throw new UserError(`cannot reach the emulator at ${adminUrl}: ${(error as Error).message}`, 'start it with `headroom emulate` and pass the admin URL it prints');
  }
}

function parseUpstreams(values: readonly string[]): Record<string, string> {
  const upstreams: Record<string, string> = {};
  for (const value of values) {
    const at = value.indexOf('=');
    const url = value.slice(at + 1);
    if (at <= 0 || !/^https?:\/\/[^/]+$/.test(url)) throw new UserError(`--upstream ${JSON.stringify(value)} is not key=url`, 'e.g. --upstream chatbot/bedrock-us-east-1=http://127.0.0.1:9001');
    upstreams[value.slice(0, at)] = url;
  }
  return upstreams;
}

export function registerServe(program: Command, io: Io): void {
  program
    .command('serve')
    .description('Run the router locally: the same handler as the Lambda, on loopback, against real endpoints or an emulator.')
    .argument('[file]', 'plan file (default: headroom.yaml, then infra/headroom.yaml)')
    .option('--port <n>', 'port to listen on (0: a free one)', '8787')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--upstream <key=url>', 'replace one target\'s base URL (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--emulator <adminUrl>', 'take every target URL and the clock from a running `headroom emulate`; fake local credentials')
    .option('--seed <n>', 'seed for the router\'s random choices')
    .option('--verify-sigv4', `require SigV4 (service lambda) signed with the test key ${LOCAL_SIGV4_CREDENTIALS.accessKeyId}, as an IAM-auth Function URL would`)
    .option('--log', 'print structured logs and EMF metrics to stdout')
    .option('--store-table <name>', 'share quota usage with every router on this DynamoDB table (the Lambda\'s state table), so several processes act as one fleet')
    .option('--store-endpoint <url>', 'DynamoDB-compatible endpoint for the store, e.g. dynalite at http://127.0.0.1:8000 (default: AWS)')
    .option('--store-region <region>', 'AWS region of the store', 'us-east-1')
    .option('--store-create', 'create the store table if it does not exist')
    .action(async (fileArg: string | undefined, options: ServeOptions) => {
      const { plan } = loadOrFail(resolvePlanFile(fileArg), io);
      const port = parseNumberOption(options.port, '--port', (n) => Number.isInteger(n) && n >= 0 && n < 65536, 'a port number from 0 to 65535');
      const seed = options.seed === undefined ? undefined : parseNumberOption(options.seed, '--seed', Number.isInteger, 'a whole number');
      const store = storeSettings(options);
      let config: RouterConfig = compileRouterConfig(plan);
      let now: () => number = Date.now;
      let emulated = false;
      // On the emulator's scaled clock a hold waits emulated ms (routing.hold); on Date.now the router's own timers do.
      let timers: Timers | undefined;
      if (options.emulator) {
        const emulator = await fromEmulator(options.emulator);
        const clock = new ScaledClock(emulator.timeScale, Date.now, emulator.now);
        now = () => clock.now();
        timers = scaledTimers(clock);
        config = withUpstreams(config, emulator.upstreams);
        emulated = true;
      }
      try {
        config = withUpstreams(config, parseUpstreams(options.upstream));
      } catch (error) {
        if (error instanceof UnknownUpstreamError) throw new UserError(error.message);
        throw error;
      }
      const storeClient = store ? await openStoreClient(store) : undefined;
      const { handler } = createLocalRouter({
        ...(timers ? { timers } : {}),
        config, now, ...(seed !== undefined ? { seed } : {}),
        // The same cap the core applies, as the Lambda wires it (router-lambda/src/lambda.ts).
        ...(store && storeClient ? { store: new DynamoDbSharedStore(storeClient, store.table, { maxCooldownMs: config.routing.maxCooldownMs }) } : {}),
        ...(emulated ? { adapters: emulatorAdapterDeps(config, now) } : {}),
        ...(options.log ? { telemetry: new RouterTelemetry() } : {}),
        warn: (message, details) => io.stderr(`warning: ${message} ${JSON.stringify(details)}\n`),
      });
      // Why a request was refused is for the operator's log, never the client.
      const served = options.verifySigv4
        ? requireSigV4(handler, {
          ...LOCAL_SIGV4_CREDENTIALS, region: plan.aws.region, now: Date.now,
          onReject: (reason, request) => io.stderr(`warning: SigV4 refused ${request.method} ${request.path}: ${reason}\n`),
        })
        : handler;
      const server = await startNodeServer(served, { host: options.host, port })
        .catch((error: unknown) => { storeClient?.destroy(); throw listenFailure(error) ?? error; });
      const shared = store ? `\n  shared store: DynamoDB table ${store.table} at ${store.endpoint ?? `AWS ${store.region}`}` : '';
      io.stdout(`Headroom router for ${plan.name} at ${server.url}${options.verifySigv4 ? ' (SigV4 required)' : ''}\n  POST /v1/messages, POST /v1/chat/completions, GET /status, GET /healthz${shared}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => void server.close().then(() => { storeClient?.destroy(); resolve(); });
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
