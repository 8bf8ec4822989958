import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FrontDoorError } from '../front-doors/errors';
import { apiForPath, BodyEncodingError, decodeBody, rawHttpResponse, requestRejected } from './errors';
import { HOP_BY_HOP, json, MAX_REQUEST_BYTES, type RouterHttpHandler, type RouterHttpRequest, type RouterHttpResponse } from './types';

export interface NodeServerOptions {
  readonly host?: string;
  readonly port?: number;
  readonly maxRequestBytes?: number;
  /** Request line plus headers. @default 16 KiB, Node's own default, set here so no flag changes it */
  readonly maxHeaderBytes?: number;
}

export const MAX_HEADER_BYTES = 16 * 1024;

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
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
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function requestOf(req: IncomingMessage, body: string, signal: AbortSignal): RouterHttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const url = req.url ?? '/';
  const at = url.indexOf('?');
  // Kept raw: the SigV4 verifier must check the query exactly as it arrived.
  const query = at < 0 ? '' : url.slice(at + 1);
  return { method: req.method ?? 'GET', path: at < 0 ? url : url.slice(0, at), ...(query ? { query } : {}), headers, body, signal };
}

/**
 * Node answers requests it cannot parse (headers over `maxHeaderSize`, malformed framing) with a
 * bare status and an empty body; answer in the API's error format instead, as Node would otherwise.
 */
function answerUnparsable(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket, maxHeaderBytes: number): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  // The request line is usually in the packet that failed; without it the path is unknown.
  const path = /^[A-Z]+ (\S+) HTTP\//.exec(error.rawPacket?.subarray(0, 2048).toString('latin1') ?? '')?.[1];
  const api = apiForPath(path);
  const response = error.code === 'HPE_HEADER_OVERFLOW'
    ? requestRejected(api, 431, 'request_too_large', `the request line and headers exceed ${maxHeaderBytes} bytes`)
    : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? requestRejected(api, 408, 'invalid_request', 'the request was not received in time')
      : requestRejected(api, 400, 'invalid_request', 'the request is not valid HTTP/1.1');
  socket.end(rawHttpResponse(response));
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

/**
 * Aborted when the response closes before it finished: the client or its socket went away. (A
 * request's own 'close' only says its body was read.)
 */
function clientDisconnectSignal(res: ServerResponse): AbortSignal {
  const client = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) client.abort();
  });
  return client.signal;
}

/** The router as a local HTTP server (`headroom serve`), on loopback unless told otherwise. */
export async function startNodeServer(handler: RouterHttpHandler, options: NodeServerOptions = {}): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const limit = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const maxHeaderBytes = options.maxHeaderBytes ?? MAX_HEADER_BYTES;
  const server = createServer({ maxHeaderSize: maxHeaderBytes }, (req, res) => {
    const signal = clientDisconnectSignal(res);
    void (async () => {
      let body: string;
      try {
        body = decodeBody(await readBody(req, limit), req.url);
      } catch (error) {
        if (error instanceof BodyEncodingError) return write(res, error.reply());
        if (!(error instanceof BodyTooLargeError)) throw error;
        return write(res, requestRejected(apiForPath(req.url), 413, 'request_too_large', `the request body exceeds ${limit} bytes`));
      }
      await write(res, await handler(requestOf(req, body, signal)));
    })().catch((error: unknown) => {
      // The handler answers every request itself; reaching here means a bug or a connection broken mid-stream.
      if (res.headersSent) {
        res.destroy(error instanceof Error ? error : undefined);
        return;
      }
      const api = apiForPath(req.url);
      // No x-headroom-attempts: how far the handler got is unknown.
      const failed = json(500, new FrontDoorError('internal', 'the router failed to handle this request').body(api));
      res.writeHead(failed.status, failed.headers).end(failed.body);
    });
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => answerUnparsable(error, socket, maxHeaderBytes));
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
