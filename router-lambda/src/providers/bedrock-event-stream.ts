/**
 * Bedrock's InvokeModelWithResponseStream body (application/vnd.amazon.eventstream) as Anthropic events.
 * Frames: https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html (4-byte big-endian total length
 *   prelude, headers, payload, CRCs). Decoding and CRC checks are @smithy/eventstream-codec's.
 * Members: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ResponseStream.html — `chunk`
 *   (PayloadPart `{"bytes": base64}` of one Anthropic stream event) or an exception: internalServerException 500,
 *   modelStreamErrorException 424, modelTimeoutException 408, serviceUnavailableException 503,
 *   throttlingException 429, validationException 400.
 */
import { EventStreamCodec, MessageDecoderStream, type Message } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { MAX_UPSTREAM_BODY_BYTES, UpstreamItemTooLargeError } from './bounded-body';
import type { StreamItem } from './streaming';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

const EXCEPTION_STATUS: Readonly<Record<string, number>> = {
  internalServerException: 500,
  modelStreamErrorException: 424,
  modelTimeoutException: 408,
  serviceUnavailableException: 503,
  throttlingException: 429,
  validationException: 400,
};

export class TruncatedEventStreamError extends Error {
  override readonly name = 'TruncatedEventStreamError';
  constructor(readonly leftoverBytes: number) {
    super(`the event stream ended inside a frame (${leftoverBytes} bytes left over)`);
  }
}

/**
 * Whole frames out of arbitrary network chunks. @smithy/core's getChunkedStream does the same but is not
 * exported by @smithy/eventstream-codec, the package this workspace depends on.
 */
export async function* awsFrames(bytes: AsyncIterable<Uint8Array>, maxFrameBytes = MAX_UPSTREAM_BODY_BYTES): AsyncGenerator<Uint8Array> {
  let buffer: Uint8Array = new Uint8Array(0);
  for await (const chunk of bytes) {
    const joined = new Uint8Array(buffer.length + chunk.length);
    joined.set(buffer);
    joined.set(chunk, buffer.length);
    buffer = joined;
    while (buffer.length >= 4) {
      const total = new DataView(buffer.buffer, buffer.byteOffset, 4).getUint32(0, false);
      // The prelude declares the frame's length: refuse an oversized one before buffering it.
      if (total > maxFrameBytes) throw new UpstreamItemTooLargeError(maxFrameBytes);
      if (buffer.length < total) break;
      yield buffer.slice(0, total);
      buffer = buffer.slice(total);
    }
  }
  if (buffer.length > 0) throw new TruncatedEventStreamError(buffer.length);
}

function header(message: Message, name: string): string | undefined {
  const value = message.headers[name];
  return value && value.type === 'string' ? value.value : undefined;
}

function messageOf(body: Uint8Array): string {
  try {
    const json = JSON.parse(toUtf8(body)) as { message?: unknown; Message?: unknown };
    const text = json.message ?? json.Message;
    return typeof text === 'string' ? text : 'Bedrock stream error';
  } catch {
    return 'Bedrock stream error';
  }
}

/** Decode the event stream into Anthropic events (`event: <type>`, the chunk's JSON as data) and exceptions. */
export async function* bedrockItems(bytes: AsyncIterable<Uint8Array>, maxFrameBytes = MAX_UPSTREAM_BODY_BYTES): AsyncGenerator<StreamItem> {
  for await (const message of new MessageDecoderStream({ inputStream: awsFrames(bytes, maxFrameBytes), decoder: codec })) {
    const messageType = header(message, ':message-type');
    if (messageType === 'event') {
      if (header(message, ':event-type') !== 'chunk') continue;
      const payload = JSON.parse(toUtf8(message.body)) as { bytes?: unknown };
      if (typeof payload.bytes !== 'string') continue;
      const data = Buffer.from(payload.bytes, 'base64').toString('utf8');
      const type = (JSON.parse(data) as { type?: unknown }).type;
      yield { kind: 'event', ...(typeof type === 'string' ? { event: type } : {}), data };
      continue;
    }
    if (messageType === 'exception') {
      const exception = header(message, ':exception-type') ?? 'internalServerException';
      yield { kind: 'exception', status: EXCEPTION_STATUS[exception] ?? 500, message: messageOf(message.body) };
      return;
    }
    // `:message-type: error` carries `:error-code` / `:error-message` headers.
    yield { kind: 'exception', status: 500, message: header(message, ':error-message') ?? 'Bedrock stream error' };
    return;
  }
}
