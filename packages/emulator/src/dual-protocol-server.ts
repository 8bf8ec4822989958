import { createServer as createHttp1Server, IncomingMessage, ServerResponse } from 'node:http';
import { constants as http2Constants, createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';

export type AnyRequest = IncomingMessage | Http2ServerRequest;
export type AnyResponse = ServerResponse | Http2ServerResponse;
export type RequestListener = (req: AnyRequest, res: AnyResponse) => void;

/** The HTTP/2 connection preface; cleartext HTTP/2 ("prior knowledge") starts with it. RFC 9113 §3.4 */
const H2_PREFACE_START = 'PRI * HTTP/2.0';

/**
 * One port that speaks HTTP/1.1 and cleartext HTTP/2. The AWS SDK's Bedrock runtime client talks
 * HTTP/2 by default (NodeHttp2Handler), fetch-based clients talk HTTP/1.1; real endpoints take both.
 */
export class DualProtocolServer {
  private readonly net: NetServer;
  private readonly sockets = new Set<Socket>();

  constructor(listener: RequestListener) {
    const http1 = createHttp1Server(listener);
    const http2 = createHttp2Server(listener);
    this.net = createNetServer((socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      socket.once('data', (first: Buffer) => {
        socket.pause();
        socket.unshift(first);
        const isHttp2 = first.toString('latin1', 0, H2_PREFACE_START.length) === H2_PREFACE_START;
        (isHttp2 ? http2 : http1).emit('connection', socket);
        process.nextTick(() => socket.resume());
      });
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.net.once('error', reject);
      this.net.listen(port, host, () => {
        this.net.off('error', reject);
        resolve((this.net.address() as AddressInfo).port);
      });
    });
  }

  /** Stop listening and drop every open connection, including requests a timeout fault holds. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.net.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }
}

/** The connection is gone or the answer is complete. */
export function responseGone(res: AnyResponse): boolean {
  return res.writableEnded || (res instanceof ServerResponse ? res.destroyed : res.stream.destroyed);
}

/** Cut this exchange as a network failure would: RST_STREAM on HTTP/2, a dropped socket on HTTP/1.1. */
export function resetExchange(req: AnyRequest, res: AnyResponse): void {
  if (res instanceof ServerResponse) req.socket.destroy();
  else res.stream.close(http2Constants.NGHTTP2_INTERNAL_ERROR);
}

/** End a response mid-body after what was written has flushed: the client sees a premature close. */
export function truncateExchange(req: AnyRequest, res: AnyResponse): void {
  if (res instanceof ServerResponse) req.socket.end();
  // RST_STREAM once the written frames are handed to the session, so the client gets them first.
  else res.stream.write('', () => res.stream.close(http2Constants.NGHTTP2_INTERNAL_ERROR));
}

/** Drop the whole connection (a region going dark drops every stream on it). */
export function dropConnection(req: AnyRequest): void {
  if (req instanceof IncomingMessage) req.socket.destroy();
  else req.stream.session?.destroy();
}
