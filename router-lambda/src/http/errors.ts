import { STATUS_CODES } from 'node:http';
import type { Api } from '@headroom/plan/runtime';
import { FrontDoorError } from '../front-doors/errors';
import { apiForUnknownPath } from '../replies';
import type { RouterHttpResponse } from './types';

/** A response whose body is whole (not streamed). */
export type BufferedResponse = RouterHttpResponse & { readonly body: string };

/**
 * Which API's error format a request gets before the pipeline reads it: the pipeline's own rule
 * (OpenAI-only paths, else Anthropic's shape, which the OpenAI SDKs read too).
 */
export function apiForPath(path: string | undefined): Api {
  return apiForUnknownPath(path ?? '/');
}

/** A reply the HTTP layer makes itself: the API's error format, and no upstream was tried. */
export function httpLayerError(status: number, body: unknown): BufferedResponse {
  return { status, headers: { 'content-type': 'application/json', 'x-headroom-attempts': '0' }, body: JSON.stringify(body) };
}

/** 413, 431 and 400-class framing errors: the front door's own error shape at another status. */
export function requestRejected(api: Api, status: number, kind: 'request_too_large' | 'invalid_request', message: string): BufferedResponse {
  return httpLayerError(status, new FrontDoorError(kind, message).body(api));
}

/**
 * The request body is not UTF-8. JSON exchanged between systems must be (RFC 8259 section 8.1);
 * decoding it leniently would forward U+FFFD in place of the client's bytes. The client's 400.
 */
export class BodyEncodingError extends Error {
  override readonly name = 'BodyEncodingError';
  constructor(readonly path: string | undefined) {
    super('the request body is not valid UTF-8');
  }

  reply(): BufferedResponse {
    return requestRejected(apiForPath(this.path), 400, 'invalid_request', this.message);
  }
}

// ignoreBOM keeps a byte order mark in the text, as the lenient decoder did: JSON.parse then refuses it.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The body as text, or a BodyEncodingError for bytes that are not UTF-8. */
export function decodeBody(bytes: Uint8Array, path: string | undefined): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new BodyEncodingError(path);
  }
}

/** 403 as each API sends it (Anthropic `permission_error`; OpenAI's SDKs map 403 to PermissionDeniedError). */
export function forbidden(api: Api): BufferedResponse {
  const message = 'Forbidden: the request is not signed with SigV4 by an allowed principal';
  const body = api === 'anthropic'
    ? { type: 'error', error: { type: 'permission_error', message } }
    : { error: { message, type: 'invalid_request_error', param: null, code: 'forbidden' } };
  return httpLayerError(403, body);
}

/** The response as raw HTTP/1.1, for the socket when Node could not parse the request. */
export function rawHttpResponse(response: BufferedResponse): string {
  const body = Buffer.from(response.body);
  const headers = { ...response.headers, 'content-length': String(body.length), connection: 'close' };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}\r\n${lines.join('\r\n')}\r\n\r\n${response.body}`;
}
