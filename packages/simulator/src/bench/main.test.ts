import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HELP } from './cli-options';

// The compiled entry point, as `npm run bench` runs it (`npm test` builds first: tsc -b && jest).
const MAIN = resolve(__dirname, '../../dist/bench/main.js');

function runMain(args: string[]) {
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });
}

describe('main.js', () => {
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (npx tsc -b packages/simulator)`);
  });

  it('--help prints the options and does nothing else', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-help-')), 'results');
    const result = runMain(['--help', '--out', out]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(HELP);
    expect(result.stderr).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('an unknown option is an error with the help, exit 2, and runs nothing', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-bad-')), 'results');
    const result = runMain(['--fast', '--out', out]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Unknown option '--fast'");
    expect(result.stderr).toContain(HELP);
    expect(result.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('an unknown scenario id is refused with the known ones listed', () => {
    const result = runMain(['--scenarios', 'seed-3x30k,no-such', '--no-real']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unknown scenario\(s\) no-such; known: seed-3x30k, /);
  });
});
