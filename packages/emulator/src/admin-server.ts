import { createServer, type IncomingMessage, type Server } from 'node:http';
import { z } from 'zod';
import { faultsFileSchema, type FaultsByTarget } from './faults';
import type { TargetStatsView } from './stats';

export interface AdminHandlers {
  stats(): Record<string, TargetStatsView>;
  targets(): unknown;
  /** The emulated clock, so a router in another process can run on the same time. */
  clock(): { now: number; timeScale?: number };
  setFaults(faults: FaultsByTarget): void;
}

/**
 * The emulator's own endpoint (not a provider's):
 *   GET /stats    per-target counters and quota snapshots
 *   GET /targets  each target's base URL and provider
 *   GET /clock    the emulated time now and the time scale
 *   PUT /faults   replace the scripted faults ({"faults": {...}}, the faults-file format)
 */
export function createAdminServer(handlers: AdminHandlers): Server {
  return createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body, null, 2));
    };
    const path = new URL(req.url ?? '/', 'http://admin.invalid').pathname;
    if (req.method === 'GET' && path === '/stats') return reply(200, { targets: handlers.stats() });
    if (req.method === 'GET' && path === '/targets') return reply(200, { targets: handlers.targets() });
    if (req.method === 'GET' && path === '/clock') return reply(200, handlers.clock());
    if (req.method === 'PUT' && path === '/faults') {
      readJson(req).then((json) => {
        const parsed = faultsFileSchema.safeParse(json);
        if (!parsed.success) return reply(400, { error: z.prettifyError(parsed.error) });
        handlers.setFaults(parsed.data.faults);
        reply(200, { ok: true });
      }).catch((error: unknown) => reply(400, { error: (error as Error).message }));
      return;
    }
    reply(404, { error: `no route ${req.method} ${path}; try GET /stats, GET /targets, GET /clock, PUT /faults` });
  });
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
