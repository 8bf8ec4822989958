import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { SPAWN_TEST_TIMEOUT_MS, SPAWN_TIMEOUT_MS } from './testing';

jest.setTimeout(SPAWN_TEST_TIMEOUT_MS);

const PACKAGE_DIR = resolve(__dirname, '..');
const binPath = (JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin.headroom!;
const BIN_FILE = join(PACKAGE_DIR, binPath);
/** Run a file the way npm's bin link does: executed directly, through its shebang. */
const run = (file: string, args: string[]) => spawnSync(file, args, {
  encoding: 'utf8', timeout: SPAWN_TIMEOUT_MS, env: { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` },
});

// npm links bins at install time, before `npm run build`: the bin must exist in a fresh clone.
describe('the headroom bin in packages/cli/package.json', () => {
  it('is a committed, executable file outside dist/', () => {
    expect(binPath).not.toMatch(/^(\.\/)?dist\//);
    const staged = execFileSync('git', ['ls-files', '--stage', '--', binPath], { cwd: PACKAGE_DIR, encoding: 'utf8' });
    expect(staged).toMatch(/^100755 /);
    expect(() => accessSync(BIN_FILE, constants.X_OK)).not.toThrow();
    expect(readFileSync(BIN_FILE, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('runs the built CLI', () => {
    const { status, stdout } = run(BIN_FILE, ['--help']);
    expect(stdout).toContain('Usage: headroom');
    expect(stdout).toContain('validate');
    expect(status).toBe(0);
  });

  it('before a build, says to run npm run build', () => {
    const unbuilt = mkdtempSync(join(tmpdir(), 'headroom-unbuilt-'));
    mkdirSync(join(unbuilt, 'bin'));
    const copy = join(unbuilt, binPath);
    copyFileSync(BIN_FILE, copy);
    const { status, stdout, stderr } = run(copy, ['--help']);
    expect(stderr).toBe('headroom: the CLI is not built yet; run `npm run build` in the repository first\n');
    expect(stdout).toBe('');
    expect(status).toBe(1);
  });
});
