import type { Writable } from 'node:stream';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { decodeBody } from './errors';
import { HOP_BY_HOP, type RouterHttpRequest, type RouterHttpResponse } from './types';

/** The Lambda runtime's helper that attaches status and headers to a streamed response. */
export interface HttpResponseStreamFactory {
  from(stream: Writable, metadata: { statusCode: number; headers: Record<string, string> }): Writable;
}

/**
 * A Function URL event (payload 2.0) as the router's request; `signal` says when the client left (see
 * `clientDisconnectSignal`). Throws BodyEncodingError (its `reply()` is the client's 400) for a
 * base64 body that is not UTF-8.
 */
export function requestFromFunctionUrl(event: LambdaFunctionURLEvent, signal?: AbortSignal): RouterHttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  }
  const body = event.body === undefined ? '' : event.isBase64Encoded ? decodeBody(Buffer.from(event.body, 'base64'), event.rawPath) : event.body;
  const query = event.rawQueryString;
  return { method: event.requestContext.http.method, path: event.rawPath, ...(query ? { query } : {}), headers, body, ...(signal ? { signal } : {}) };
}

/**
 * Aborted when the invocation's response stream errors or closes before it finished: the client
 * disconnected, so the upstream call it asked for is cancelled instead of running to its timeout.
 * Made before the router runs, so a client that leaves before the response headers counts too.
 */
export function clientDisconnectSignal(stream: Writable): AbortSignal {
  const client = new AbortController();
  const gone = () => {
    if (!stream.writableFinished) client.abort();
  };
  // An 'error' with no listener would crash the runtime; here it only means the client is gone.
  stream.on('error', gone);
  stream.once('close', gone);
  return client.signal;
}

/** How writing a response ended: all of it, or the client went away first. */
export type StreamOutcome = 'complete' | 'client-gone';

const CLIENT_GONE = Symbol('client gone');

/**
 * Write the router's response to a Function URL response stream (RESPONSE_STREAM invoke mode).
 * A client that disconnects ends the upstream iterator (`return()`), so the upstream call is
 * cancelled and its attempt settled, instead of the invocation waiting out the Lambda timeout.
 */
export async function writeToResponseStream(stream: Writable, response: RouterHttpResponse, factory: HttpResponseStreamFactory): Promise<StreamOutcome> {
  const out = factory.from(stream, { statusCode: response.status, headers: { ...response.headers } });
  const gone = new Promise<typeof CLIENT_GONE>((resolve) => {
    // A disconnect surfaces as 'error' or an early 'close'; an unhandled 'error' would crash the runtime.
    out.on('error', () => resolve(CLIENT_GONE));
    out.once('close', () => resolve(CLIENT_GONE));
  });
  if (typeof response.body === 'string') {
    out.end(response.body);
    return 'complete';
  }
  const chunks = response.body[Symbol.asyncIterator]();
  for (;;) {
    const next = chunks.next();
    const first = out.destroyed ? CLIENT_GONE : await Promise.race([next, gone]);
    if (first === CLIENT_GONE) {
      next.catch(() => undefined); // settles after return() below; its outcome no longer matters
      return abandon(chunks);
    }
    if (first.done) {
      out.end();
      return 'complete';
    }
    if (!out.write(first.value) && await Promise.race([new Promise((resolve) => out.once('drain', resolve)), gone]) === CLIENT_GONE) {
      return abandon(chunks);
    }
  }
}

/** Stop reading: an async generator's `finally` (the pipeline's settlement) runs inside `return()`. */
async function abandon(chunks: AsyncIterator<Uint8Array>): Promise<StreamOutcome> {
  await chunks.return?.();
  return 'client-gone';
}
