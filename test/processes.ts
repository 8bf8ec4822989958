import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const HEADROOM_BIN = resolve(__dirname, '../packages/cli/dist/bin.js');
export const EXAMPLE_PLAN = resolve(__dirname, '../infra/headroom.yaml');

export interface Running {
  readonly child: ChildProcess;
  readonly output: string;
  stop(): Promise<number | null>;
}

/** Start `headroom <args>` and resolve once its output matches `ready`; bounded by a timeout. */
export function startHeadroom(args: string[], ready: RegExp, timeoutMs = 20_000): Promise<Running> {
  const child = spawn(process.execPath, [HEADROOM_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`headroom ${args[0]} did not start:\n${output}`)); }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!ready.test(output)) return;
      clearTimeout(timer);
      resolvePromise({
        child,
        get output() { return output; },
        stop: () => new Promise((done) => {
          if (child.exitCode !== null) return done(child.exitCode);
          child.once('exit', (code) => done(code));
          child.kill('SIGTERM');
        }),
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`headroom ${args[0]} exited ${code}:\n${output}`)); });
  });
}

/** `headroom emulate` + `headroom serve --emulator`, as two real processes on loopback. */
export async function startEmulatorAndRouter(serveArgs: string[] = [], emulateArgs: string[] = []): Promise<{ routerUrl: string; adminUrl: string; routerOutput(): string; stop(): Promise<void> }> {
  const emulator = await startHeadroom(['emulate', EXAMPLE_PLAN, ...emulateArgs], /admin: \S+/);
  const adminUrl = /admin: (\S+)\/stats/.exec(emulator.output)![1]!;
  try {
    const router = await startHeadroom(['serve', EXAMPLE_PLAN, '--port', '0', '--emulator', adminUrl, '--seed', '1', ...serveArgs], /at (http:\/\/\S+)/);
    const routerUrl = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(router.output)![1]!;
    return { routerUrl, adminUrl, routerOutput: () => router.output, stop: async () => { await router.stop(); await emulator.stop(); } };
  } catch (error) {
    await emulator.stop();
    throw error;
  }
}
