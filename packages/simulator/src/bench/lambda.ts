import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { compileRouterConfig, definePlan, type RouterConfig } from '@headroom/plan';
import { chatbotPlan } from '../scenarios';
import { startNode, type Started } from './processes';

export interface BundleResult {
  readonly bytes: number;
  /** The largest inputs by bytes in the output, grouped by package. */
  readonly topPackages: readonly { readonly name: string; readonly bytes: number }[];
  readonly file: string;
}

/** Bundle router-lambda/src/lambda.ts as the CDK construct does: esbuild, minified, node22, cjs, ES module builds first. */
export async function bundleLambda(root: string): Promise<BundleResult> {
  // esbuild is installed at the root (the CDK package bundles with it); loaded lazily so the simulator needs it only here.
  const esbuild = require(require.resolve('esbuild', { paths: [root] })) as typeof import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'headroom-bundle-'));
  const file = join(dir, 'index.js');
  const result = await esbuild.build({
    entryPoints: [resolve(root, 'router-lambda/src/lambda.ts')],
    bundle: true, minify: true, platform: 'node', target: 'node22', format: 'cjs', mainFields: ['module', 'main'], outfile: file, metafile: true, logLevel: 'silent',
  });
  const byPackage = new Map<string, number>();
  for (const [input, info] of Object.entries(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]!]!.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const name = m ? m[1]! : input.startsWith('router-lambda') ? '(router-lambda)' : input.startsWith('packages/plan') ? '(@headroom/plan)' : '(other)';
    byPackage.set(name, (byPackage.get(name) ?? 0) + info.bytesInOutput);
  }
  const topPackages = [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, 8);
  return { bytes: statSync(file).size, topPackages, file };
}

const COLD_INIT_SCRIPT = `
const { PassThrough } = require('node:stream');
const t0 = performance.now();
globalThis.awslambda = { streamifyResponse: (h) => h, HttpResponseStream: { from: (s) => s } };
const { handler } = require(process.argv[2]);
const t1 = performance.now();
const body = JSON.stringify({ model: 'chatbot', max_tokens: 64, messages: [{ role: 'user', content: 'hello from a cold start' }] });
const event = { version: '2.0', rawPath: '/v1/messages', rawQueryString: '', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
  requestContext: { http: { method: 'POST', path: '/v1/messages', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' } }, body, isBase64Encoded: false };
const stream = new PassThrough(); let out = ''; stream.on('data', (c) => { out += c; });
Promise.resolve(handler(event, stream)).then(() => {
  const t2 = performance.now();
  console.log('COLD_INIT ' + JSON.stringify({ requireMs: t1 - t0, firstRequestMs: t2 - t1, initMs: t2 - t0, ok: /"type":"message"|"content"/.test(out), sample: out.slice(0, 120) }));
}, (e) => { console.log('COLD_INIT ' + JSON.stringify({ error: String(e && e.stack || e) })); process.exitCode = 1; });
`;

export interface ColdInit {
  readonly requireMs: number;
  readonly firstRequestMs: number;
  readonly initMs: number;
  readonly ok: boolean;
  readonly runs: number;
}

/**
 * Cold init: a fresh node process per run requires the bundle (with the Lambda runtime's globals
 * stubbed and HEADROOM_ROUTER_CONFIG set to the worked example's plan pointed at a running emulator) and
 * handles its first request. Median of `runs`. Every process is stopped by PID.
 */
export async function coldInit(root: string, bundleFile: string, runs = 5): Promise<ColdInit> {
  const bin = resolve(root, 'packages/cli/dist/bin.js');
  const dir = mkdtempSync(join(tmpdir(), 'headroom-cold-'));
  const planFile = join(dir, 'chatbot.yaml');
  const planInput = chatbotPlan();
  writeFileSync(planFile, JSON.stringify(planInput, null, 1));
  const scriptFile = join(dir, 'cold.js');
  writeFileSync(scriptFile, COLD_INIT_SCRIPT);
  let emulator: Started | undefined;
  try {
    emulator = await startNode([bin, 'emulate', planFile, '--port', '0'], /admin: \S+/, { cwd: root });
    const compiled = compileRouterConfig(definePlan(planInput));
    const urls = new Map([...emulator.output().matchAll(/^(chatbot\/\S+)\s+bedrock\s+\S+\s+(http:\/\/127\.0\.0\.1:\d+)/gm)].map((m) => [m[1]!, m[2]!]));
    const config: RouterConfig = { ...compiled, targets: Object.fromEntries(Object.entries(compiled.targets).map(([k, t]) => [k, { ...t, endpoint: { ...t.endpoint, baseUrl: urls.get(k) ?? t.endpoint.baseUrl } }])) };
    const samples: { requireMs: number; firstRequestMs: number; initMs: number; ok: boolean }[] = [];
    for (let i = 0; i < runs; i++) {
      const child = await startNode([scriptFile, bundleFile], /^COLD_INIT \{.*\}$/m, {
        cwd: dir, timeoutMs: 30_000,
        env: { HEADROOM_ROUTER_CONFIG: JSON.stringify(config), AWS_ACCESS_KEY_ID: 'AKIABENCHEXAMPLE', AWS_SECRET_ACCESS_KEY: 'bench-secret', AWS_REGION: 'us-east-1', POWERTOOLS_METRICS_NAMESPACE: 'bench', POWERTOOLS_LOG_LEVEL: 'ERROR' },
      });
      const line = /^COLD_INIT (\{.*\})$/m.exec(child.output())![1]!;
      await child.stop();
      const parsed = JSON.parse(line) as { requireMs: number; firstRequestMs: number; initMs: number; ok: boolean; error?: string; sample?: string };
      if (parsed.error) throw new Error(`cold init failed: ${parsed.error}`);
      if (!parsed.ok) throw new Error(`cold init: the first request did not succeed: ${parsed.sample ?? ''}`);
      samples.push(parsed);
    }
    const median = (f: (s: (typeof samples)[number]) => number) => samples.map(f).sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
    return { requireMs: median((s) => s.requireMs), firstRequestMs: median((s) => s.firstRequestMs), initMs: median((s) => s.initMs), ok: samples.every((s) => s.ok), runs };
  } finally {
    await emulator?.stop();
  }
}
