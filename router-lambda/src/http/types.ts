/** The router's view of an HTTP exchange, shared by the local server and the Lambda Function URL. */
export interface RouterHttpRequest {
  readonly method: string;
  readonly path: string;
  /** The query string as received, without `?`, percent-encoding intact; absent when empty. */
  readonly query?: string;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
  /**
   * Aborted when the client goes away before the response was written whole: the upstream call it
   * asked for is cancelled (and not re-sent elsewhere). Absent when the transport cannot tell.
   */
  readonly signal?: AbortSignal;
}

export interface RouterHttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** A whole body, or a stream (SSE) that starts before the upstream finishes. */
  readonly body: string | AsyncIterable<Uint8Array>;
}

export type RouterHttpHandler = (request: RouterHttpRequest) => Promise<RouterHttpResponse>;

/** Requests larger than this are refused before parsing (413 in the front door's format). */
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

// RFC 9110 section 7.6.1: connection-specific headers are never forwarded.
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'proxy-connection']);

export function json(status: number, body: unknown, headers: Record<string, string> = {}): RouterHttpResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
