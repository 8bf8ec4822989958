import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { compileRouterConfig } from '@headroom/plan';
import { defaultRouterEntry, Headroom, HeadroomRouter, Plan } from './index';

/**
 * The one test that bundles for real: esbuild runs locally (no Docker), minifies, and embeds the
 * compiled RouterConfig into the router's own entry.
 */
const ROOT = path.resolve(__dirname, '../../..');
const plan = Plan.fromFile(path.join(ROOT, 'infra/headroom.yaml'));
const config = compileRouterConfig(plan);
const entry = defaultRouterEntry()!;
const outdir = mkdtempSync(path.join(tmpdir(), 'headroom-cdk-'));
let bundle = '';
let template: Template;

beforeAll(() => {
  const app = new App({ outdir });
  const stack = new Stack(app, 'Bundled', { env: Headroom.envOf(plan) });
  const router = new HeadroomRouter(stack, 'Router', { plan, entry });
  template = Template.fromStack(stack);
  app.synth();
  const asset = (router.function.node.defaultChild as unknown as { code: { s3Key: string } }).code.s3Key.replace(/\.zip$/, '');
  bundle = readFileSync(path.join(outdir, `asset.${asset}`, 'index.js'), 'utf8');
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** The embedded JSON, whichever quotes esbuild chose for the string literal. */
function embedded(text: string): unknown {
  const json = JSON.stringify(config);
  for (const literal of [JSON.stringify(json), `'${json}'`, `\`${json}\``]) {
    if (text.includes(literal)) return JSON.parse(json);
  }
  return undefined;
}

describe('router bundling', () => {
  it('bundles locally with esbuild, minified CommonJS', () => {
    expect(bundle.length).toBeGreaterThan(0);
    // Minified: long lines, not one statement per line.
    expect(bundle.length / bundle.split('\n').length).toBeGreaterThan(1000);
    expect(bundle).not.toContain('process.env.HEADROOM_ROUTER_CONFIG');
  });

  it('embeds exactly the compiled RouterConfig', () => {
    expect(embedded(bundle)).toEqual(config);
  });

  it('the bundle loads and exposes the handler (fixture: and the config it parsed)', () => {
    const g = globalThis as { awslambda?: unknown };
    g.awslambda = { streamifyResponse: <T>(f: T) => f, HttpResponseStream: { from: (s: unknown) => s } };
    try {
      const file = path.join(outdir, 'loaded.js');
      require('node:fs').writeFileSync(file, bundle);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(file) as { handler: unknown; embeddedConfig?: unknown };
      expect(typeof mod.handler).toBe('function');
      if (entry.includes('fixtures')) expect(mod.embeddedConfig).toEqual(config);
    } finally {
      delete g.awslambda;
    }
  });

  it('the function runs the bundle on nodejs22.x arm64', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler' });
    expect(readdirSync(outdir).some((f) => f.startsWith('asset.'))).toBe(true);
  });
});
