import type { Writable } from 'node:stream';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { HOP_BY_HOP, type RouterHttpRequest, type RouterHttpResponse } from './types';

/** The Lambda runtime's helper that attaches status and headers to a streamed response. */
export interface HttpResponseStreamFactory {
  from(stream: Writable, metadata: { statusCode: number; headers: Record<string, string> }): Writable;
}

/** A Function URL event (payload 2.0) as the router's request. */
export function requestFromFunctionUrl(event: LambdaFunctionURLEvent): RouterHttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined && !HOP_BY_HOP.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
  }
  const body = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const query = event.rawQueryString;
  return { method: event.requestContext.http.method, path: event.rawPath, ...(query ? { query } : {}), headers, body };
}

/** Write the router's response to a Function URL response stream (RESPONSE_STREAM invoke mode). */
export async function writeToResponseStream(stream: Writable, response: RouterHttpResponse, factory: HttpResponseStreamFactory): Promise<void> {
  const out = factory.from(stream, { statusCode: response.status, headers: { ...response.headers } });
  if (typeof response.body === 'string') {
    out.end(response.body);
    return;
  }
  for await (const chunk of response.body) {
    if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
  }
  out.end();
}
