import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The built binary, spawned as a user would run it (`npm test` builds it first). */
export const BIN = resolve(__dirname, '../dist/bin.js');
export const EXAMPLE_PLAN_PATH = resolve(__dirname, '../../../infra/headroom.yaml');

/**
 * How long one spawned `headroom` may run. Generous on purpose: a busy 2-core machine can be many
 * times slower than a laptop, and a test must fail on a wrong result, never on a slow host.
 */
export const SPAWN_TIMEOUT_MS = 120_000;
/** Jest timeout for a test that spawns `headroom`: above the spawn's own, so the spawn reports first. */
export const SPAWN_TEST_TIMEOUT_MS = SPAWN_TIMEOUT_MS + 30_000;

export interface HeadroomOptions {
  /** @default SPAWN_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

export interface HeadroomResult {
  /** null when the process was killed; `signal` then says by what. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly signal: NodeJS.Signals | null;
}

export function headroom(args: string[], cwd = process.cwd(), options: HeadroomOptions = {}): HeadroomResult {
  const timeout = options.timeoutMs ?? SPAWN_TIMEOUT_MS;
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout });
  const killedByTimeout = result.error && (result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
  return {
    code: result.status,
    stdout: result.stdout,
    stderr: killedByTimeout ? `${result.stderr}\n[test harness: headroom ${args.join(' ')} was killed after ${timeout} ms]\n` : result.stderr,
    signal: result.signal,
  };
}
