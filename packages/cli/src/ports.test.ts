import { createServer, type Server } from 'node:net';
import { EXAMPLE_PLAN_PATH, headroom, SPAWN_TEST_TIMEOUT_MS } from './testing';

jest.setTimeout(SPAWN_TEST_TIMEOUT_MS);

/** Occupy a free port on 127.0.0.1, as another process would. */
async function occupiedPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { port: address.port, release: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('a port already in use', () => {
  it.each([
    ['emulate', /pick another port with --port \(it sets the admin port, and the 11 targets take the 11 ports after it\)/],
    ['serve', /pick another port with --port \(it sets the port\)/],
  ])('headroom %s exits 1 naming the port, with a hint, not an internal error', async (command, setsWhat) => {
    const { port, release } = await occupiedPort();
    try {
      const { code, stdout, stderr, signal } = headroom([command, EXAMPLE_PLAN_PATH, '--port', String(port)]);
      expect(signal).toBeNull();
      expect(stderr).toContain(`headroom: port ${port} on 127.0.0.1 is already in use`);
      expect(stderr).toMatch(setsWhat);
      expect(stderr).toContain(`stop the process using port ${port}`);
      expect(stderr).toContain('--port 0 picks a free one');
      expect(stderr).not.toContain('internal error');
      expect(stdout).toBe('');
      expect(code).toBe(1);
    } finally {
      await release();
    }
  });
});
