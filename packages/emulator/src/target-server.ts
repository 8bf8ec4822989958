import { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Provider, RouterTarget } from '@headroom/plan';
import type { Clock } from './clock';
import { estimateTokens, generateCompletion, hash32, type CompletionLength } from './completion';
import { DualProtocolServer, dropConnection, resetExchange, responseGone, truncateExchange, type AnyRequest, type AnyResponse } from './dual-protocol-server';
import type { FaultBook } from './faults';
import { Pacer, perTokenMs, type LatencyModel } from './latency';
import { emptyStats, type TargetStats, type TargetStatsView } from './stats';
import type { QuotaTicket, TargetQuota } from './target-quota';
import { anthropicWire } from './wire/anthropic';
import { azureOpenAiWire } from './wire/azure-openai';
import { bedrockWire } from './wire/bedrock';
import { isRateHeader, MALFORMED_HEADER_VALUE } from './wire/headers';
import { openAiWire } from './wire/openai';
import type { EmulatedRequest, Frame, Generated, ModelCall, ProviderWire, Reply, WireContext } from './wire/types';
import { vertexWire } from './wire/vertex';

const WIRES: Record<Provider, (context: WireContext) => ProviderWire> = {
  anthropic: anthropicWire,
  bedrock: bedrockWire,
  vertex: vertexWire,
  openai: openAiWire,
  'azure-openai': azureOpenAiWire,
};

/** Request bodies above this are refused before parsing (providers cap far lower for JSON). */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface TargetServerOptions {
  readonly target: RouterTarget;
  readonly quota: TargetQuota;
  readonly clock: Clock;
  readonly faults: FaultBook;
  readonly latency: LatencyModel;
  readonly seed: number;
  readonly completionLength?: CompletionLength;
}

/** One emulated regional endpoint: its provider's wire format in front of its own quota. */
export class TargetServer {
  readonly server: DualProtocolServer;
  private readonly wire: ProviderWire;
  private readonly counters: TargetStats = emptyStats();
  private sequence = 0;
  private readonly idPrefix: string;

  constructor(private readonly options: TargetServerOptions) {
    const { target, clock } = options;
    this.idPrefix = hash32(target.key).toString(16).padStart(8, '0');
    this.wire = WIRES[target.provider]({ target, clock, nextRequestId: () => `req_${this.nextId()}` });
    this.server = new DualProtocolServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        // A bug in the emulator must be loud, not look like a provider answer.
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain', 'x-headroom-emulator-error': 'internal' });
        res.end(`emulator internal error: ${(error as Error).stack ?? String(error)}`);
      });
    });
  }

  stats(): TargetStatsView {
    return { ...this.counters, quota: this.options.quota.snapshot(), charged: this.options.quota.charged() };
  }

  private nextId(): string {
    this.sequence += 1;
    return `emu${this.idPrefix}${this.sequence.toString(16).padStart(8, '0')}`;
  }

  private async handle(req: AnyRequest, res: AnyResponse): Promise<void> {
    const { target, faults, quota, clock } = this.options;
    this.counters.requests += 1;
    const arrivedAt = clock.now();
    const body = await readBody(req);
    if (faults.take(target.key, ['dark'])) {
      this.counters.faulted += 1;
      dropConnection(req);
      return;
    }
    if (body === undefined) return this.send(res, { status: 413, headers: { 'content-type': 'text/plain' }, body: 'request body too large' });
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const request: EmulatedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body };
    const parsed = this.wire.parse(request);
    if (!parsed.ok) {
      this.counters.rejected += 1;
      return this.send(res, parsed.reply);
    }
    const failure = faults.take(target.key, ['error', 'timeout', 'reset']);
    if (failure) {
      this.counters.faulted += 1;
      if (failure.kind === 'error') return this.send(res, this.wire.serverError(failure.status));
      // A timeout never answers: the socket stays open until the client gives up or the emulator closes.
      if (failure.kind === 'reset') resetExchange(req, res);
      return;
    }
    const { call } = parsed;
    const inputTokens = estimateTokens(call.prompt);
    const malformed = faults.take(target.key, ['malformed-headers']) !== undefined;
    const decision = quota.tryAdmit({ inputTokens, maxTokens: call.maxTokens });
    if (!decision.admitted) {
      this.counters.throttled += 1;
      return this.send(res, this.wire.throttled(decision, quota.snapshot(), clock.now()), malformed);
    }
    this.counters.admitted += 1;
    this.counters.inputTokens += inputTokens;
    const slowFactor = faults.take(target.key, ['slow'])?.factor ?? 1;
    const completion = generateCompletion(this.options.seed, call.prompt, call.maxTokens, this.options.completionLength);
    const ttft = this.options.latency.timeToFirstTokenMs * slowFactor;
    const perToken = perTokenMs(this.options.latency, slowFactor);
    const generated: Generated = {
      id: `${isClaude(target.provider) ? 'msg_' : 'chatcmpl-'}${this.nextId()}`,
      completion,
      inputTokens,
      createdSeconds: Math.floor(arrivedAt / 1000),
      firstByteLatencyMs: ttft,
      latencyMs: ttft + perToken * completion.outputTokens,
    };
    const pacer = new Pacer(clock, sleep);
    if (!call.stream) {
      await pacer.wait(generated.latencyMs);
      this.settle(decision.ticket, inputTokens, completion.outputTokens);
      const reply = this.wire.complete(call, generated);
      const quotaHeaders = this.wire.quotaHeaders(quota.snapshot(), clock.now());
      return this.send(res, { ...reply, headers: { ...quotaHeaders, ...reply.headers } }, malformed);
    }
    const cutAfter = faults.take(target.key, ['truncate-stream'])?.afterTokens;
    await this.stream(req, res, call, generated, decision.ticket, { pacer, ttft, perToken, malformed, cutAfter });
  }

  private async stream(
    req: AnyRequest,
    res: AnyResponse,
    call: ModelCall,
    generated: Generated,
    ticket: QuotaTicket,
    pacing: { pacer: Pacer; ttft: number; perToken: number; malformed: boolean; cutAfter: number | undefined },
  ): Promise<void> {
    const plan = this.wire.stream(call, generated);
    let sent = 0;
    // A client that hangs up mid-stream is charged for what was generated until then.
    res.on('close', () => this.settle(ticket, generated.inputTokens, sent));
    const headers = { ...this.wire.quotaHeaders(this.options.quota.snapshot(), this.options.clock.now()), ...plan.headers };
    res.writeHead(200, pacing.malformed ? malformHeaders(headers) : headers);
    if ('flushHeaders' in res) res.flushHeaders();
    await pacing.pacer.wait(pacing.ttft);
    writeFrames(res, plan.head);
    for (const frame of plan.perToken) {
      if (responseGone(res)) return;
      if (pacing.cutAfter !== undefined && sent >= pacing.cutAfter) {
        this.counters.faulted += 1;
        this.settle(ticket, generated.inputTokens, sent);
        truncateExchange(req, res);
        return;
      }
      writeFrames(res, [frame]);
      sent += 1;
      await pacing.pacer.wait(pacing.perToken);
    }
    writeFrames(res, plan.tail);
    this.settle(ticket, generated.inputTokens, sent);
    res.end();
  }

  private settle(ticket: QuotaTicket, inputTokens: number, outputTokens: number): void {
    if (ticket.settled) return;
    this.options.quota.settle(ticket, { inputTokens, outputTokens });
    this.counters.outputTokens += outputTokens;
  }

  private send(res: AnyResponse, reply: Reply, malformed = false): void {
    const headers = { ...reply.headers, 'content-length': String(Buffer.byteLength(reply.body)) };
    res.writeHead(reply.status, malformed ? malformHeaders(headers) : headers);
    res.end(reply.body);
  }
}

function isClaude(provider: Provider): boolean {
  return provider === 'anthropic' || provider === 'bedrock' || provider === 'vertex';
}

function malformHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { 'retry-after': MALFORMED_HEADER_VALUE };
  for (const [name, value] of Object.entries(headers)) out[name] = isRateHeader(name) ? MALFORMED_HEADER_VALUE : value;
  return out;
}

function writeFrames(res: AnyResponse, frames: readonly Frame[]): void {
  for (const frame of frames) {
    if (responseGone(res)) return;
    if (res instanceof ServerResponse) res.write(frame);
    else res.write(frame);
  }
}

/** The whole body, or undefined past the cap. */
async function readBody(req: AnyRequest): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
