import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FrontDoorError } from '../front-doors/errors';
import { HOP_BY_HOP, MAX_REQUEST_BYTES, type RouterHttpHandler, type RouterHttpRequest, type RouterHttpResponse } from './types';

export interface NodeServerOptions {
  readonly host?: string;
  readonly port?: number;
  readonly maxRequestBytes?: number;
}

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function requestOf(req: IncomingMessage, body: string): RouterHttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, headers, body };
}

async function write(res: ServerResponse, response: RouterHttpResponse): Promise<void> {
  const headers = Object.fromEntries(Object.entries(response.headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
  res.writeHead(response.status, headers);
  if (typeof response.body === 'string') {
    res.end(response.body);
    return;
  }
  res.flushHeaders();
  for await (const chunk of response.body) {
    if (res.destroyed) break;
    res.write(chunk);
  }
  res.end();
}

/** The router as a local HTTP server (`headroom serve`), on loopback unless told otherwise. */
export async function startNodeServer(handler: RouterHttpHandler, options: NodeServerOptions = {}): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const limit = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const server = createServer((req, res) => {
    void (async () => {
      let body: string;
      try {
        body = await readBody(req, limit);
      } catch (error) {
        if (!(error instanceof BodyTooLargeError)) throw error;
        const api = req.url?.startsWith('/v1/chat/') ? 'openai' : 'anthropic';
        const tooLarge = new FrontDoorError('request_too_large', `the request body exceeds ${limit} bytes`);
        await write(res, { status: tooLarge.statusFor(api), headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify(tooLarge.body(api)) });
        return;
      }
      await write(res, await handler(requestOf(req, body)));
    })().catch((error: unknown) => {
      // The handler answers every request itself; reaching here means the connection broke mid-stream.
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'internal error' } }));
      else res.destroy(error instanceof Error ? error : undefined);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
