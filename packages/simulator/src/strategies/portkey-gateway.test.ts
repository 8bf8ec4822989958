import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Random } from '../random';
import { portkeyNestedFallbackConfig, walkPortkeyConfig, type PortkeyGroup, type PortkeyLeaf } from './portkey';

/**
 * The real Portkey gateway (@portkey-ai/gateway, the version the real-process benchmark runs) is
 * given portkeyNestedFallbackConfig and three fake Azure deployments on loopback; the deployments it
 * calls, in order, must be what walkPortkeyConfig (the simulated gateway) calls for the same slot.
 * So the simulation cannot drift from the gateway it stands for.
 */
const DEPLOYMENTS = ['east', 'west', 'south'] as const;
let answers: Record<string, number> = {};
const hits: string[] = [];
let upstream: Server;
let gateway: ChildProcess | undefined;
let gatewayUrl = '';
let config: PortkeyGroup;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const deployment = /deployments\/([^/]+)\//.exec(req.url ?? '')?.[1] ?? '?';
    hits.push(deployment);
    req.resume();
    req.on('end', () => {
      const status = answers[deployment] ?? 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(status === 200
        ? { id: 'x', object: 'chat.completion', created: 1, model: 'gpt', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }
        : { error: { code: String(status), message: 'emulated' } }));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamPort = (upstream.address() as AddressInfo).port;
  config = portkeyNestedFallbackConfig(DEPLOYMENTS.map((deploymentId) => ({
    provider: 'azure-openai', customHost: `http://127.0.0.1:${upstreamPort}/openai`, resourceName: 'emulated', deploymentId, apiVersion: '2024-10-21', apiKey: 'local', weight: 1,
  })));
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const script = require.resolve('@portkey-ai/gateway/build/start-server.js');
  gateway = spawn(process.execPath, [script, '--headless', `--port=${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  gateway.stdout?.on('data', (d) => (output += String(d)));
  gateway.stderr?.on('data', (d) => (output += String(d)));
  // Up to 100 s for a busy 2-core machine to start the gateway (a bound, not a speed check).
  for (let i = 0; i < 1_000 && !/Ready for connections|running at/i.test(output); i++) await new Promise((r) => setTimeout(r, 100));
  if (!/Ready for connections|running at/i.test(output)) throw new Error(`gateway did not start:\n${output}`);
  gatewayUrl = `http://127.0.0.1:${port}`;
}, 120_000);

afterAll(async () => {
  if (gateway?.pid !== undefined && gateway.exitCode === null) {
    const exited = new Promise<void>((resolve) => gateway!.once('exit', () => resolve()));
    gateway.kill('SIGTERM');
    const kill = setTimeout(() => gateway?.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(kill);
  }
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

/** One request through the real gateway: the status the client got and the deployments called. */
async function throughGateway(): Promise<{ status: number; calls: string[] }> {
  hits.length = 0;
  const response = await fetch(`${gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-portkey-config': JSON.stringify(config) },
    body: JSON.stringify({ model: 'gpt', messages: [{ role: 'user', content: 'hi' }] }),
  });
  await response.text();
  return { status: response.status, calls: [...hits] };
}

/** The simulated walk of the slot led by `first`, with the same answers. */
function simulated(first: string): { status: number; calls: string[] } {
  const slot = config.targets.find((t) => ((t as PortkeyGroup).targets[0] as PortkeyLeaf).deployment_id === first)!;
  const steps = walkPortkeyConfig(slot, new Random(1));
  const calls: string[] = [];
  let step = steps.next();
  while (!step.done) {
    const deployment = step.value.deployment_id!;
    calls.push(deployment);
    step = steps.next(answers[deployment] ?? 200);
  }
  return { status: step.value, calls };
}

describe('the real Portkey gateway walks portkeyNestedFallbackConfig as the simulation does', () => {
  it.each([
    ['every region 429', { east: 429, west: 429, south: 429 }],
    ['every region 500 (not in on_status_codes)', { east: 500, west: 500, south: 500 }],
    ['one region 429', { east: 429 }],
  ])('%s', async (_name, given) => {
    answers = given;
    for (let i = 0; i < 6; i++) {
      const real = await throughGateway();
      expect(real.calls.length).toBeGreaterThan(0);
      expect(real).toEqual(simulated(real.calls[0]!));
    }
  }, 30_000);
});
