import { ScaledClock } from '@headroom/emulator';
import { compileRouterConfig, type RouterConfig } from '@headroom/plan';
import {
  createLocalRouter, emulatorAdapterDeps, LOCAL_SIGV4_CREDENTIALS, requireSigV4, RouterTelemetry, startNodeServer, UnknownUpstreamError,
  withUpstreams,
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
    .action(async (fileArg: string | undefined, options: ServeOptions) => {
      const { plan } = loadOrFail(resolvePlanFile(fileArg), io);
      const port = parseNumberOption(options.port, '--port', (n) => Number.isInteger(n) && n >= 0 && n < 65536, 'a port number from 0 to 65535');
      const seed = options.seed === undefined ? undefined : parseNumberOption(options.seed, '--seed', Number.isInteger, 'a whole number');
      let config: RouterConfig = compileRouterConfig(plan);
      let now: () => number = Date.now;
      let emulated = false;
      if (options.emulator) {
        const emulator = await fromEmulator(options.emulator);
        const clock = new ScaledClock(emulator.timeScale, Date.now, emulator.now);
        now = () => clock.now();
        config = withUpstreams(config, emulator.upstreams);
        emulated = true;
      }
      try {
        config = withUpstreams(config, parseUpstreams(options.upstream));
      } catch (error) {
        if (error instanceof UnknownUpstreamError) throw new UserError(error.message);
        throw error;
      }
      const { handler } = createLocalRouter({
        config, now, ...(seed !== undefined ? { seed } : {}),
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
        .catch((error: unknown) => { throw listenFailure(error) ?? error; });
      io.stdout(`Headroom router for ${plan.name} at ${server.url}${options.verifySigv4 ? ' (SigV4 required)' : ''}\n  POST /v1/messages, POST /v1/chat/completions, GET /status, GET /healthz\n`);
      await new Promise<void>((resolve) => {
        const stop = () => void server.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
