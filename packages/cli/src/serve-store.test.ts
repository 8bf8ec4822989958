import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, headroom, SPAWN_TEST_TIMEOUT_MS, SPAWN_TIMEOUT_MS } from './testing';

// dynalite: DynamoDB's wire protocol on loopback (as router-lambda/src/store/dynamodb-store.test.ts uses it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: { createTableMs: number }) => Server;

jest.setTimeout(SPAWN_TEST_TIMEOUT_MS * 2);

const TPM = 30_000;
/** Azure counts prompt + max_tokens against TPM when it admits a request (provider-facts: Azure OpenAI quota). */
const MAX_TOKENS = 14_000;
const AZURE = { provider: 'azure-openai', model: 'gpt-5.1', version: '2025-11-13', sku: 'GlobalStandard', limits: { tpm: TPM } };
const REGIONS = ['eastus2', 'swedencentral', 'japaneast'];

function writePlan(): string {
  const plan = {
    version: 1,
    name: 'fleet',
    aws: { account: '111122223333', region: 'us-east-1' },
    azure: { subscription: '00000000-0000-4000-8000-000000000001', resourceGroup: 'llm-capacity', tenant: '00000000-0000-4000-8000-000000000002' },
    families: { gpt: { api: 'openai', aliases: ['gpt-5.1'], targets: Object.fromEntries(REGIONS.map((region) => [`azure-${region}`, { ...AZURE, region }])) } },
  };
  const file = join(mkdtempSync(join(tmpdir(), 'headroom-serve-store-')), 'fleet.yaml');
  writeFileSync(file, JSON.stringify(plan, null, 1)); // YAML is a superset of JSON
  return file;
}

interface Running { output(): string; stop(): Promise<void> }

/** Start `headroom <args>` and resolve once its output matches `ready`; stopped by its own PID. */
function start(args: string[], ready: RegExp): Promise<Running> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const stop = () => new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`headroom ${args[0]} did not start:\n${output}`)); }, SPAWN_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!ready.test(output)) return;
      clearTimeout(timer);
      resolve({ output: () => output, stop });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`headroom ${args[0]} exited ${code}:\n${output}`)); });
  });
}

/** `headroom <args>` to its exit, without blocking this process's event loop; bounded like `headroom()`. */
function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const timer = setTimeout(() => child.kill('SIGKILL'), SPAWN_TIMEOUT_MS);
  return new Promise((resolve) => child.once('exit', (code) => { clearTimeout(timer); resolve({ code, stderr }); }));
}

const urlOf = (running: Running) => /at (http:\/\/127\.0\.0\.1:\d+)/.exec(running.output())![1]!;

async function chat(url: string): Promise<{ status: number; attempts: number; target?: string }> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-5.1', max_tokens: MAX_TOKENS, messages: [{ role: 'user', content: 'hello' }] }),
  });
  await response.text();
  const target = response.headers.get('x-headroom-target');
  return { status: response.status, attempts: Number(response.headers.get('x-headroom-attempts')), ...(target ? { target } : {}) };
}

interface TargetView { key: string; headroomPct: number; buckets: { tpm: { remaining: number } } }
async function status(url: string): Promise<TargetView[]> {
  return ((await (await fetch(`${url}/status`)).json()) as { targets: TargetView[] }).targets;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('headroom serve --store-table: several processes act as one fleet', () => {
  let store: Server;
  let endpoint: string;
  const plan = writePlan();
  beforeAll(async () => { store = dynalite({ createTableMs: 0 }); endpoint = await listen(store); });
  afterAll(() => new Promise<void>((resolve) => store.close(() => resolve())));

  it("a second process refuses from the first one's usage without calling the upstream; a process without the store does call it", async () => {
    const running: Running[] = [];
    try {
      // A slow clock (0.1x): a region refills 50 tokens per real second, so another 14,000-token call fits only after minutes.
      const emulator = await start(['emulate', plan, '--time-scale', '0.1'], /admin: \S+/);
      running.push(emulator);
      const admin = /admin: (\S+)\/stats/.exec(emulator.output())![1]!;
      const fleet = ['--emulator', admin, '--store-table', 'fleet-test', '--store-endpoint', endpoint, '--store-create'];
      const [first, second, alone] = await Promise.all([
        start(['serve', plan, '--port', '0', ...fleet], /shared store: DynamoDB table fleet-test/),
        start(['serve', plan, '--port', '0', ...fleet], /shared store: DynamoDB table fleet-test/),
        start(['serve', plan, '--port', '0', '--emulator', admin], /at http:\/\/127/),
      ]);
      running.push(first!, second!, alone!);
      expect((await status(urlOf(second!))).map((t) => t.headroomPct)).toEqual([100, 100, 100]);

      // Each region holds 30,000 TPM and each call reserves more than 14,000, so the pool admits exactly 2 per region.
      const served: string[] = [];
      for (let i = 0; i < 12; i++) {
        const reply = await chat(urlOf(first!));
        if (reply.status !== 200) { expect(reply).toMatchObject({ status: 429, attempts: 0 }); break; }
        served.push(reply.target!);
      }
      expect(served.sort()).toEqual(REGIONS.flatMap((r) => [`gpt/azure-${r}`, `gpt/azure-${r}`]).sort());

      // The second process has served nothing itself: it knows the pool is spent only through the store.
      expect(await chat(urlOf(second!))).toMatchObject({ status: 429, attempts: 0 });
      // Its view of every region: less than one more call's reservation left (30,000 - 2 x 14,000 plus a little refill).
      for (const target of await status(urlOf(second!))) expect(target.buckets.tpm.remaining).toBeLessThan(MAX_TOKENS);

      // Control: without the store a process believes its buckets are full and tries the (drained) upstream.
      const control = await chat(urlOf(alone!));
      expect(control.status).toBe(429);
      expect(control.attempts).toBeGreaterThanOrEqual(1);
    } finally {
      for (const process of running.reverse()) await process.stop();
    }
  });

  it('a missing table is a clear error naming it and --store-create, with no stack trace', async () => {
    // Spawned asynchronously: dynalite runs in this process and must keep answering.
    const { code, stderr } = await run(['serve', plan, '--port', '0', '--store-table', 'absent-table', '--store-endpoint', endpoint]);
    expect(stderr).toContain(`headroom: the store table absent-table at ${endpoint} does not exist`);
    expect(stderr).toContain('--store-create');
    expect(stderr).not.toContain('    at ');
    expect(code).toBe(1);
  });
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('headroom serve --store-* mistakes exit 1 with a message and a hint, never a stack trace', () => {
  const plan = writePlan();
  it.each([
    [['--store-endpoint', 'http://127.0.0.1:8000'], /--store-endpoint needs --store-table/],
    [['--store-create'], /--store-create needs --store-table/],
    [['--store-table', 'x'], /--store-table "x" is not a DynamoDB table name/],
    [['--store-table', 'has space'], /--store-table "has space" is not a DynamoDB table name/],
    [['--store-table', 'fleet', '--store-region', 'Europe'], /--store-region "Europe" is not an AWS region/],
    [['--store-table', 'fleet', '--store-endpoint', 'ftp://127.0.0.1:8000'], /--store-endpoint "ftp:\/\/127\.0\.0\.1:8000" is not an http\(s\):\/\/host:port URL/],
    [['--store-table', 'fleet', '--store-endpoint', 'http://127.0.0.1:8000/tables'], /is not an http\(s\):\/\/host:port URL/],
  ])('%j', (args, message) => {
    const { code, stderr } = headroom(['serve', plan, '--port', '0', ...args]);
    expect(stderr).toMatch(message);
    expect(stderr).toContain('hint: ');
    expect(stderr).not.toContain('    at ');
    expect(code).toBe(1);
  });

  it('an endpoint nothing listens on is named in the error', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const { code, stderr } = headroom(['serve', plan, '--port', '0', '--store-table', 'fleet', '--store-endpoint', endpoint]);
    expect(stderr).toContain(`headroom: cannot use the store table fleet at ${endpoint}`);
    expect(stderr).not.toContain('    at ');
    expect(code).toBe(1);
  });
});
