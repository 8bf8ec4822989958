import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The built binary, spawned as a user would run it (`npm test` builds it first). */
export const BIN = resolve(__dirname, '../dist/bin.js');
export const EXAMPLE_PLAN_PATH = resolve(__dirname, '../../../infra/headroom.yaml');

export function headroom(args: string[], cwd = process.cwd()): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 20_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
