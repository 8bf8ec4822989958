/**
 * Bedrock runtime, Claude models (InvokeModel / InvokeModelWithResponseStream).
 * Paths, headers, errors: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html
 *   and https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModelWithResponseStream.html
 * Claude body (anthropic_version "bedrock-2023-05-31", no model key):
 *   https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html
 * Error type in `x-amzn-errortype` (restJson1): https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html
 * ThrottlingException carries no retry-after and no remaining-quota headers (provider-facts.md).
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { claudeMessage, claudeStreamEvents, parseClaudeBody } from './claude-messages';
import { headerValue, jsonReply } from './headers';
import { checkSigV4Shape } from './sigv4-shape';
import type { Frame, Generated, ProviderWire, Reply, ServerErrorStatus, WireContext } from './types';

export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/**
 * One `chunk` event of the AWS event stream, its payload `{"bytes": base64(Claude event JSON)}`.
 * Framing (prelude, headers, CRCs): https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html
 */
export function bedrockChunk(event: Record<string, unknown>): Uint8Array {
  const bytes = Buffer.from(JSON.stringify(event), 'utf8').toString('base64');
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: 'chunk' },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(JSON.stringify({ bytes })),
  });
}

const SERVER_ERRORS: Record<ServerErrorStatus, [number, string, string]> = {
  500: [500, 'InternalServerException', 'The server encountered an internal error.'],
  502: [503, 'ServiceUnavailableException', 'The service is temporarily unavailable.'],
  503: [503, 'ServiceUnavailableException', 'The service is temporarily unavailable.'],
  504: [408, 'ModelTimeoutException', 'The request took too long to process.'],
  529: [503, 'ServiceUnavailableException', 'The service is temporarily unavailable.'],
};

export function bedrockWire(context: WireContext): ProviderWire {
  const { target } = context;
  const error = (status: number, type: string, message: string): Reply =>
    jsonReply(status, { message }, { 'x-amzn-errortype': type, 'x-amzn-requestid': context.nextRequestId() });

  const metricsHeaders = (generated: Generated) => ({
    'x-amzn-requestid': context.nextRequestId(),
    'x-amzn-bedrock-invocation-latency': String(Math.round(generated.latencyMs)),
    'x-amzn-bedrock-input-token-count': String(generated.inputTokens),
    'x-amzn-bedrock-output-token-count': String(generated.completion.outputTokens),
  });

  return {
    parse(request) {
      const match = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream)$/.exec(request.path);
      if (!match) return { ok: false, reply: error(404, 'UnknownOperationException', 'Unknown operation') };
      if (request.method !== 'POST') return { ok: false, reply: error(405, 'UnknownOperationException', `Method ${request.method} not allowed`) };
      const signature = checkSigV4Shape(request.headers, target.region);
      if (!signature.ok) return { ok: false, reply: error(403, signature.errorType, signature.message) };
      if (decodeURIComponent(match[1]!) !== target.upstreamModel) return { ok: false, reply: error(400, 'ValidationException', 'The provided model identifier is invalid.') };
      if (!(headerValue(request.headers['content-type']) ?? '').startsWith('application/json')) {
        return { ok: false, reply: error(400, 'ValidationException', 'Malformed input request: content type must be application/json, please reformat your input and try again.') };
      }
      const parsed = parseClaudeBody(request.body, { requireModel: false });
      if (!parsed.ok) return { ok: false, reply: error(400, 'ValidationException', `Malformed input request: ${parsed.message}, please reformat your input and try again.`) };
      if (parsed.body.model !== undefined) return { ok: false, reply: error(400, 'ValidationException', 'Malformed input request: #: extraneous key [model] is not permitted, please reformat your input and try again.') };
      if (parsed.body.anthropicVersion !== BEDROCK_ANTHROPIC_VERSION) {
        return { ok: false, reply: error(400, 'ValidationException', `Malformed input request: #/anthropic_version: expected ${BEDROCK_ANTHROPIC_VERSION}, please reformat your input and try again.`) };
      }
      const { maxTokens, prompt } = parsed.body;
      return { ok: true, call: { stream: match[2] === 'invoke-with-response-stream', prompt, maxTokens, model: target.upstreamModel, includeUsage: true } };
    },

    quotaHeaders: () => ({}),

    throttled(refusal) {
      return error(429, 'ThrottlingException', refusal.limitedBy === 'rpm' ? 'Too many requests, please wait before trying again.' : 'Too many tokens, please wait before trying again.');
    },

    serverError(status) {
      const [code, type, message] = SERVER_ERRORS[status];
      return error(code, type, message);
    },

    complete(call, generated) {
      return jsonReply(200, claudeMessage(call.model, generated), metricsHeaders(generated));
    },

    stream(call, generated) {
      const events = claudeStreamEvents(call.model, generated);
      const tail = events.tail.map((event) => event.type !== 'message_stop' ? event : {
        ...event,
        // The last chunk carries Bedrock's invocation metrics (documented in the Claude streaming example of the user guide).
        'amazon-bedrock-invocationMetrics': {
          inputTokenCount: generated.inputTokens,
          outputTokenCount: generated.completion.outputTokens,
          invocationLatency: Math.round(generated.latencyMs),
          firstByteLatency: Math.round(generated.firstByteLatencyMs),
        },
      });
      const frames = (list: ReadonlyArray<Record<string, unknown>>): Frame[] => list.map(bedrockChunk);
      return {
        headers: {
          'content-type': 'application/vnd.amazon.eventstream',
          'x-amzn-bedrock-content-type': 'application/json',
          'x-amzn-requestid': context.nextRequestId(),
        },
        head: frames(events.head.filter((event) => event.type !== 'ping')),
        perToken: frames(events.perToken),
        tail: frames(tail),
      };
    },
  };
}
