/**
 * Reading an upstream body the router must hold whole (a non-streaming reply, an error body, one SSE
 * event or event-stream frame), never past a cap: past it the upstream is cancelled, not read to the end.
 */

/** A non-streaming reply, one SSE event or one event-stream frame. Chat replies are far smaller. */
export const MAX_UPSTREAM_BODY_BYTES = 10 * 1024 * 1024;
/** An upstream error body: only its message, type, param and code are kept. */
export const MAX_UPSTREAM_ERROR_BYTES = 64 * 1024;

export interface BodyLimits {
  /** @default MAX_UPSTREAM_BODY_BYTES */
  readonly bodyBytes: number;
  /** @default MAX_UPSTREAM_ERROR_BYTES */
  readonly errorBytes: number;
}

export const DEFAULT_BODY_LIMITS: BodyLimits = { bodyBytes: MAX_UPSTREAM_BODY_BYTES, errorBytes: MAX_UPSTREAM_ERROR_BYTES };

export type BoundedText =
  | { readonly kind: 'text'; readonly text: string }
  /** Longer than the cap: reading stopped and the upstream was cancelled. */
  | { readonly kind: 'too-large'; readonly limit: number };

/** The body as UTF-8 text, or `too-large` as soon as it passes `limit` bytes (or declares it will). */
export async function readBounded(response: Response, limit: number): Promise<BoundedText> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  const body = response.body;
  if (Number.isFinite(declared) && declared > limit) {
    await body?.cancel().catch(() => undefined);
    return { kind: 'too-large', limit };
  }
  if (!body) return { kind: 'text', text: '' };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = await reader.read();
    if (next.done) break;
    size += next.value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return { kind: 'too-large', limit };
    }
    chunks.push(next.value);
  }
  return { kind: 'text', text: Buffer.concat(chunks).toString('utf8') };
}

/** Thrown by a stream decoder whose single event or frame passes the cap. */
export class UpstreamItemTooLargeError extends Error {
  override readonly name = 'UpstreamItemTooLargeError';
  constructor(readonly limit: number) {
    super(`one upstream stream event exceeded ${limit} bytes`);
  }
}
