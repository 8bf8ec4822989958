import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { bedrockItems, TruncatedEventStreamError } from './bedrock-event-stream';
import { UpstreamItemTooLargeError } from './bounded-body';
import { drain, sse } from './testing.test-helpers';
import { frontDoorStream, type StreamItem } from './streaming';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const str = (value: string) => ({ type: 'string' as const, value });
const chunk = (event: Record<string, unknown>) => codec.encode({
  headers: { ':event-type': str('chunk'), ':content-type': str('application/json'), ':message-type': str('event') },
  body: fromUtf8(JSON.stringify({ bytes: Buffer.from(JSON.stringify(event)).toString('base64') })),
});
const exception = (type: string, message: string) => codec.encode({
  headers: { ':exception-type': str(type), ':content-type': str('application/json'), ':message-type': str('exception') },
  body: fromUtf8(JSON.stringify({ message })),
});

/** Re-chunk bytes in pieces of `size`, so frames straddle network reads. */
async function* pieces(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.slice(i, i + size);
}
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
async function collect(items: AsyncIterable<StreamItem>): Promise<StreamItem[]> {
  const out: StreamItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('bedrockItems', () => {
  it.each([1, 7, 64, 10_000])('decodes chunk frames split every %d bytes', async (size) => {
    const bytes = concat(chunk({ type: 'message_start', message: { usage: { input_tokens: 5, output_tokens: 1 } } }), chunk({ type: 'message_stop' }));
    expect(await collect(bedrockItems(pieces(bytes, size)))).toEqual([
      { kind: 'event', event: 'message_start', data: '{"type":"message_start","message":{"usage":{"input_tokens":5,"output_tokens":1}}}' },
      { kind: 'event', event: 'message_stop', data: '{"type":"message_stop"}' },
    ]);
  });

  it.each([['throttlingException', 429], ['serviceUnavailableException', 503], ['modelStreamErrorException', 424], ['validationException', 400]])(
    'turns a %s frame into an exception with status %d', async (type, status) => {
      const items = await collect(bedrockItems(pieces(concat(chunk({ type: 'message_start', message: {} }), exception(type, 'Too many tokens')), 16)));
      expect(items.at(-1)).toEqual({ kind: 'exception', status, message: 'Too many tokens' });
    });

  it('throws on a stream cut inside a frame, and on a corrupted CRC', async () => {
    const frame = chunk({ type: 'message_stop' });
    await expect(collect(bedrockItems(pieces(frame.slice(0, frame.length - 3), 8)))).rejects.toBeInstanceOf(TruncatedEventStreamError);
    const corrupt = frame.slice();
    corrupt[20] = corrupt[20]! ^ 0xff;
    await expect(collect(bedrockItems(pieces(corrupt, 8)))).rejects.toThrow(/checksum/);
  });

  it('refuses a frame whose prelude declares more than the cap, having read only the prelude', async () => {
    const frame = chunk({ type: 'content_block_delta', delta: { text: 'x'.repeat(2000) } });
    let pulled = 0;
    async function* counted(): AsyncGenerator<Uint8Array> {
      for await (const piece of pieces(frame, 16)) { pulled += piece.length; yield piece; }
    }
    await expect(collect(bedrockItems(counted(), 1024))).rejects.toBeInstanceOf(UpstreamItemTooLargeError);
    expect(pulled).toBe(16);
    await expect(collect(bedrockItems(pieces(frame, 16), frame.length))).resolves.toHaveLength(1);
  });

  it('re-encodes an in-stream throttlingException as an Anthropic error event and a throttled settlement', async () => {
    const bytes = concat(chunk({ type: 'message_start', message: { usage: { input_tokens: 5, output_tokens: 1 } } }), exception('throttlingException', 'Too many tokens'));
    const stream = frontDoorStream(bedrockItems(pieces(bytes, 32)), { api: 'anthropic', stripUsage: false, observations: [], secrets: [] });
    const events = sse(await drain(stream.events));
    expect(events.at(-1)).toEqual({ event: 'error', data: { type: 'error', error: { type: 'rate_limit_error', message: 'Too many tokens' } } });
    await expect(stream.settled).resolves.toEqual({ kind: 'throttled', observations: [] });
  });
});
