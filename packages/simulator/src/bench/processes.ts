import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A process this benchmark started; `stop()` ends it by its PID (SIGTERM, then SIGKILL after 3 s). */
export interface Started {
  readonly pid: number;
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Start `node <args>` and resolve once its output matches `ready`; bounded by `timeoutMs`. */
export function startNode(args: readonly string[], ready: RegExp, options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Started> {
  const child = spawn(process.execPath, [...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const stop = () => new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return done();
    const timer = setTimeout(() => { try { process.kill(child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 3_000);
    child.once('exit', () => { clearTimeout(timer); done(); });
    try { process.kill(child.pid, 'SIGTERM'); } catch { clearTimeout(timer); done(); }
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { void stop(); reject(new Error(`${args.join(' ')} did not become ready in ${options.timeoutMs ?? 20_000} ms:\n${output}`)); }, options.timeoutMs ?? 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!ready.test(output)) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stdout!.on('data', (c: Buffer) => { if (output.length < 100_000) output += c.toString(); });
      resolve({ pid: child.pid!, child, output: () => output, stop });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => { if (output.length < 100_000) output += c.toString(); });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${args.join(' ')} exited ${code}:\n${output}`)); });
  });
}

/** A free TCP port on loopback (for programs that cannot take port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
