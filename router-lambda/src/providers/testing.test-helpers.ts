/** Shared by the adapter tests: a plan with one target per provider, a wire-capturing server, stream draining. */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Plan, RouterTarget } from '@headroom/plan';
import { FIDELITY_TARGETS, fidelityPlan, startEmulator, ManualClock, type Emulator } from '@headroom/emulator';
import type { UpstreamCall, UpstreamResult } from './types';

/** One target per provider: the emulator's own fidelity plan (small, round limits). */
export const KEYS = FIDELITY_TARGETS;
export const adapterPlan: () => Plan = fidelityPlan;

export interface EmulatorFixture {
  readonly emulator: Emulator;
  readonly clock: ManualClock;
  target(key: string): RouterTarget;
}

export async function startFixture(): Promise<EmulatorFixture> {
  const clock = new ManualClock();
  const emulator = await startEmulator({ plan: adapterPlan(), clock, seed: 5 });
  return { emulator, clock, target: (key) => emulator.routerConfig.targets[key]! };
}

export const claudeCall = (content: string, extra: Record<string, unknown> = {}): UpstreamCall => {
  const body: Record<string, unknown> = { model: 'claude-sonnet-4-6', max_tokens: 200, messages: [{ role: 'user', content }], ...extra };
  return { api: 'anthropic', body, stream: body.stream === true };
};

export const chatCall = (content: string, extra: Record<string, unknown> = {}): UpstreamCall => {
  const body: Record<string, unknown> = { model: 'gpt-5.1', max_tokens: 200, messages: [{ role: 'user', content }], ...extra };
  return { api: 'openai', body, stream: body.stream === true };
};

export async function drain(events: AsyncIterable<Uint8Array>): Promise<string> {
  let text = '';
  for await (const chunk of events) text += Buffer.from(chunk).toString('utf8');
  return text;
}

/** SSE text to `{event, data}` pairs (data JSON-parsed unless `[DONE]`). */
export function sse(text: string): Array<{ event?: string; data: unknown }> {
  return text.split('\n\n').filter((block) => block.trim() !== '').map((block) => {
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const raw = /^data: (.*)$/m.exec(block)?.[1] ?? '';
    return { ...(event ? { event } : {}), data: raw === '[DONE]' ? raw : JSON.parse(raw) };
  });
}

export function expectKind<K extends UpstreamResult['kind']>(result: UpstreamResult, kind: K): Extract<UpstreamResult, { kind: K }> {
  if (result.kind !== kind) throw new Error(`expected a ${kind} result, got ${JSON.stringify(result, (_k, v: unknown) => (typeof v === 'object' && v !== null && Symbol.asyncIterator in v ? '[stream]' : v))}`);
  return result as Extract<UpstreamResult, { kind: K }>;
}

export interface Captured {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A loopback server that records each request and answers with `reply`. */
export async function startCapture(reply: (request: Captured) => { status: number; headers?: Record<string, string>; body: string }) {
  const requests: Captured[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const captured = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(captured);
      const answer = reply(captured);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    requests,
    retarget: (target: RouterTarget): RouterTarget => ({ ...target, endpoint: { ...target.endpoint, baseUrl } }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const never = (): AbortSignal => new AbortController().signal;
