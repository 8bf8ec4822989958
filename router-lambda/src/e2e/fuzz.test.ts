import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import type { Api } from '@headroom/plan/runtime';
import fc from 'fast-check';
import OpenAI from 'openai';
import { z } from 'zod';
import { bothTokenLimits, fuzzCases, MUTATION_KINDS, nestingBoundary, protoMember, type FuzzCase, type FuzzRequest, type MutationKind, type Outcome } from './fuzz-cases.test-helpers';
import { startHarness, type Harness } from './harness';

/**
 * The fuzz loop, bounded: mutated Anthropic Messages and OpenAI Chat Completions requests through
 * the real router (local server on loopback, emulated upstreams, one injected clock), checked
 * against the APIs' documented statuses and error formats. A client's mistake is never a 5xx, never
 * an upstream call when the router refuses it, and never charged to a target.
 */
const SEED = 20_240_611;
const RUNS_PER_DOOR = 300;

/** Statuses for a client's request: served, or a client error (400, unknown path, wrong method, too large). */
const CLIENT_STATUSES = [200, 400, 404, 405, 413, 431];

// https://docs.anthropic.com/en/api/errors: the error type per status; other 4xx use invalid_request_error.
const ANTHROPIC_TYPES: Readonly<Record<number, readonly string[]>> = {
  400: ['invalid_request_error'], 404: ['not_found_error'], 405: ['invalid_request_error'], 413: ['request_too_large'],
  431: ['request_too_large', 'invalid_request_error'],
};
const anthropicError = z.strictObject({ type: z.literal('error'), error: z.strictObject({ type: z.string(), message: z.string().min(1) }) });
// https://platform.openai.com/docs/guides/error-codes: {error: {message, type, param, code}}.
const openAiError = z.strictObject({ error: z.strictObject({ message: z.string().min(1), type: z.literal('invalid_request_error'), param: z.string().nullable(), code: z.string().nullable() }) });
const anthropicMessage = z.object({ type: z.literal('message'), role: z.literal('assistant'), content: z.array(z.object({ type: z.string() })), usage: z.object({ input_tokens: z.int(), output_tokens: z.int() }) });
const chatCompletion = z.object({ object: z.literal('chat.completion'), choices: z.array(z.object({ message: z.object({ role: z.literal('assistant') }) })).min(1) });

interface Reply { readonly status: number; readonly headers: IncomingHttpHeaders; readonly text: string }

/** One exchange on a fresh loopback connection, raw bytes in (nothing re-encodes them on the way). */
function exchange(url: string, request: FuzzRequest): Promise<Reply> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method: request.method, path: request.path, headers: { ...request.headers, 'content-length': String(request.body.length) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // A bound so a hung exchange fails the case instead of the whole run; no case is timed.
    req.setTimeout(30_000, () => req.destroy(new Error('no reply within 30 s')));
    req.on('error', reject);
    req.end(request.body);
  });
}

class CaseFailure extends Error {
  override readonly name = 'CaseFailure';
}

function check(condition: boolean, what: string, reply: Reply): asserts condition {
  if (!condition) throw new CaseFailure(`${what}; got ${reply.status} ${JSON.stringify(reply.headers['x-headroom-attempts'])} attempt(s): ${reply.text.slice(0, 300)}`);
}

/** The reply is the API's own error: its documented shape, read as such by the official SDK. */
function checkErrorFormat(api: Api | 'either', reply: Reply): void {
  let body: unknown;
  try {
    body = JSON.parse(reply.text);
  } catch {
    check(false, 'the error body is not JSON', reply);
  }
  const anthropic = anthropicError.safeParse(body);
  const openai = openAiError.safeParse(body);
  const headers = new Headers(Object.entries(reply.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])));
  if (api === 'anthropic' || (api === 'either' && anthropic.success)) {
    check(anthropic.success, 'not in Anthropic\'s error format', reply);
    check((ANTHROPIC_TYPES[reply.status] ?? []).includes(anthropic.data.error.type), `error type ${anthropic.data.error.type} is not documented for ${reply.status}`, reply);
    const sdk = Anthropic.APIError.generate(reply.status, body as object, undefined, headers);
    check(sdk.type === anthropic.data.error.type && sdk.apiMessage === anthropic.data.error.message, 'the Anthropic SDK does not read the error', reply);
  } else {
    check(openai.success, 'not in OpenAI\'s error format', reply);
    const sdk = OpenAI.APIError.generate(reply.status, body as object, undefined, headers);
    check(sdk.type === 'invalid_request_error' && sdk.message === `${reply.status} ${openai.data.error.message}`, 'the OpenAI SDK does not read the error', reply);
  }
}

/** A 200 is the API's answer, streamed exactly when the body's own `stream` member says so. */
function checkServed(api: Api, request: FuzzRequest, reply: Reply): void {
  const sent = JSON.parse(request.body.toString('utf8').replace(/^\uFEFF/, '')) as Record<string, unknown>;
  const streamed = Object.hasOwn(sent, 'stream') && sent.stream === true;
  check(reply.headers['content-type']?.startsWith(streamed ? 'text/event-stream' : 'application/json') === true, `stream: ${String(sent.stream)} but content-type ${reply.headers['content-type']}`, reply);
  if (streamed) {
    const complete = api === 'anthropic' ? /event: message_start[\s\S]*event: message_stop/.test(reply.text) && !reply.text.includes('event: error') : reply.text.trimEnd().endsWith('data: [DONE]');
    check(complete, 'not a complete stream', reply);
    return;
  }
  check((api === 'anthropic' ? anthropicMessage : chatCompletion).safeParse(JSON.parse(reply.text)).success, 'not the API\'s response object', reply);
}

let h: Harness;
const upstreamRequests = () => Object.values(h.emulator.stats()).reduce((sum, target) => sum + target.requests, 0);
const tally = new Map<string, number>();
const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1);

async function runCase(fuzz: FuzzCase): Promise<void> {
  const { request, allowed, errorFormat } = fuzz.materialize();
  const before = upstreamRequests();
  const reply = await exchange(h.url, request);
  const upstream = upstreamRequests() - before;
  const attempts = reply.headers['x-headroom-attempts'];
  check(CLIENT_STATUSES.includes(reply.status), 'a status the API does not document for a client\'s request', reply);
  check(typeof attempts === 'string' && /^\d+$/.test(attempts), 'no x-headroom-attempts', reply);
  check(Number(attempts) === upstream, `x-headroom-attempts says ${attempts}, the upstreams saw ${upstream}`, reply);
  const outcome: Outcome = reply.status === 200 ? 'served' : upstream === 0 ? 'refused' : 'rejected-upstream';
  check(allowed.includes(outcome), `${outcome}, expected ${allowed.join(' or ')}`, reply);
  if (reply.status === 200) checkServed(fuzz.api, request, reply);
  else checkErrorFormat(errorFormat, reply);
  if (reply.status === 405) check(reply.headers.allow === 'POST', 'a 405 without allow: POST', reply);
  // A client's mistake never counts against a target: no breaker failure, no cooldown.
  for (const target of h.router.status(h.clock.now()).targets) {
    check(target.breaker.kind === 'closed' && target.breaker.consecutiveFailures === 0 && target.cooldown === undefined, `${target.key} was charged: ${JSON.stringify(target.breaker)}`, reply);
  }
  count(`${fuzz.api} ${fuzz.kind}`);
  count(`${fuzz.api} ${fuzz.kind} ${outcome}`);
  count(`${fuzz.api} ${fuzz.kind} status ${reply.status}`);
  // A minute on the injected clock refills every bucket, so a valid request is never refused for quota.
  h.advance(60_000);
}

beforeAll(async () => { h = await startHarness(); });
afterAll(() => h.close());

describe('fuzz: mutated requests through the router', () => {
  it.each<Api>(['anthropic', 'openai'])('%s front door: documented statuses, the API\'s own error format, no upstream call for a refused body', async (api) => {
    await fc.assert(fc.asyncProperty(fuzzCases(api), runCase), {
      seed: SEED, numRuns: RUNS_PER_DOOR, endOnFailure: true,
      examples: [
        [nestingBoundary(api, 64)], [nestingBoundary(api, 65)], [protoMember(api)],
        ...(api === 'openai' ? [[bothTokenLimits(16, 1_000_000)], [bothTokenLimits(1_000_000, 16)]] as [FuzzCase][] : []),
      ],
    });
  }, 180_000);

  it('covered every mutation kind, and charged no target for any of it', () => {
    const rows = (['anthropic', 'openai'] as const).flatMap((api) => MUTATION_KINDS.map((kind: MutationKind) => {
      const outcomes = (['served', 'refused', 'rejected-upstream'] as const).map((o) => `${o} ${tally.get(`${api} ${kind} ${o}`) ?? 0}`).join(', ');
      const statuses = CLIENT_STATUSES.flatMap((s) => (tally.has(`${api} ${kind} status ${s}`) ? [`${s}x${tally.get(`${api} ${kind} status ${s}`)}`] : [])).join(' ');
      return `${api.padEnd(9)} ${kind.padEnd(19)} ${String(tally.get(`${api} ${kind}`) ?? 0).padStart(4)}  ${outcomes}; ${statuses}`;
    }));
    // eslint-disable-next-line no-console
    console.log(`fuzz cases per front door and mutation kind (seed ${SEED}):\n${rows.join('\n')}`);
    for (const api of ['anthropic', 'openai']) for (const kind of MUTATION_KINDS) expect(tally.get(`${api} ${kind}`) ?? 0).toBeGreaterThanOrEqual(10);

    const stats = Object.values(h.emulator.stats());
    expect(stats.reduce((sum, t) => sum + t.throttled + t.faulted, 0)).toBe(0);
    const status = h.router.status(h.clock.now());
    for (const target of status.targets) {
      expect(target.breaker).toEqual({ kind: 'closed', consecutiveFailures: 0 });
      expect(target.cooldown).toBeUndefined();
    }
    for (const family of status.families) expect(family.retryBudget).toMatchObject({ activeRequests: 0, activeRetries: 0, denials: 0 });
    expect(h.warnings).toEqual([]);
  });
});
