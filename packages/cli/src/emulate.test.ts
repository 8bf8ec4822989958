import Anthropic from '@anthropic-ai/sdk';
import { spawn } from 'node:child_process';
import { BIN, EXAMPLE_PLAN_PATH, headroom, SPAWN_TEST_TIMEOUT_MS, SPAWN_TIMEOUT_MS } from './testing';

jest.setTimeout(SPAWN_TEST_TIMEOUT_MS);

/** Start `headroom emulate` and resolve with its printed target table once it is listening. */
function startEmulate(args: string[]): Promise<{ output: string; stop: () => Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'emulate', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`emulate did not start:\n${output}`)); }, SPAWN_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes('admin: ')) return;
      clearTimeout(timer);
      resolve({
        output,
        stop: () => new Promise((done) => { child.once('exit', (code) => done(code)); child.kill('SIGTERM'); }),
      });
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`emulate exited ${code}`)); });
  });
}

describe('headroom emulate', () => {
  it('serves every target of the plan; the official SDK completes a call against the printed URL', async () => {
    const { output, stop } = await startEmulate([EXAMPLE_PLAN_PATH, '--time-scale', '60']);
    try {
      expect(output).toContain('Emulating 11 targets of support-bot (time scale 60x)');
      const line = output.split('\n').find((l) => l.startsWith('claude-sonnet/anthropic '))!;
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(line)![0];
      const client = new Anthropic({ baseURL: url, apiKey: 'test-key', maxRetries: 0 });
      const message = await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] });
      expect(message.type).toBe('message');
      expect(message.usage.output_tokens).toBeGreaterThan(0);
      const stats = await (await fetch(`${/admin: (\S+)\/stats/.exec(output)![1]}/stats`)).json() as { targets: Record<string, { admitted: number }> };
      expect(stats.targets['claude-sonnet/anthropic']!.admitted).toBe(1);
    } finally {
      expect(await stop()).toBe(0);
    }
  });

  it('rejects a bad time scale and a bad faults file for people', () => {
    const scale = headroom(['emulate', EXAMPLE_PLAN_PATH, '--time-scale', '0']);
    expect(scale.code).toBe(1);
    expect(scale.stderr).toContain('--time-scale "0" is not valid');
    const faults = headroom(['emulate', EXAMPLE_PLAN_PATH, '--faults', '/nonexistent/faults.json']);
    expect(faults.code).toBe(1);
    expect(faults.stderr).toContain('invalid faults file');
    expect(faults.stderr).not.toContain('    at ');
  });
});
