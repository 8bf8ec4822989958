import { randomUUID } from 'node:crypto';
import type { Api, Provider, RouterConfig, RouterTarget } from '@headroom/plan/runtime';
import type { AttemptOutcome, SharedStore, SharedUsage } from './core/contracts';
import type { Completion, Router, Ticket } from './core/router';
import { FrontDoorError } from './front-doors/errors';
import { parseFrontDoor, type FrontDoorRequest } from './front-doors/parse';
import { json, type RouterHttpHandler, type RouterHttpRequest, type RouterHttpResponse } from './http/types';
import type { FrontDoorReply, ProviderAdapter, UpstreamResult } from './providers/types';
import type { AttemptRecord, RouterTelemetry } from './telemetry';

export interface PipelineDeps {
  readonly config: RouterConfig;
  readonly router: Router;
  readonly adapters: Readonly<Record<Provider, ProviderAdapter>>;
  /** Cross-instance state; without it each process keeps its own accounting. */
  readonly store?: SharedStore;
  /** Router time in ms (the emulator's clock in local runs, Date.now in the Lambda). */
  readonly now: () => number;
  readonly telemetry?: RouterTelemetry;
  /** Where operational problems (store unreachable, credentials failing) are reported. */
  readonly warn?: (message: string, details: Record<string, unknown>) => void;
  readonly newRequestId?: () => string;
}

const ROUTES: Record<string, Api> = { '/v1/messages': 'anthropic', '/v1/chat/completions': 'openai' };

/** The whole router as one handler: the Lambda and `headroom serve` both run it. */
export function createRouterHandler(deps: PipelineDeps): RouterHttpHandler {
  return async (request) => {
    const api = ROUTES[request.path];
    if (api) {
      if (request.method !== 'POST') return errorResponse(api, new FrontDoorError('invalid_request', `use POST for ${request.path}`));
      return routeRequest(deps, api, request);
    }
    if (request.method === 'GET' && request.path === '/healthz') return json(200, { status: 'ok', plan: deps.config.plan, planDigest: deps.config.planDigest });
    if (request.method === 'GET' && request.path === '/status') return json(200, { plan: deps.config.plan, ...deps.router.status(deps.now()) });
    return json(404, { error: { type: 'not_found', message: `no route ${request.method} ${request.path}; try POST /v1/messages, POST /v1/chat/completions, GET /healthz, GET /status` } });
  };
}

function errorResponse(api: Api, error: FrontDoorError): RouterHttpResponse {
  return json(error.statusFor(api), error.body(api), error.headers());
}

function replyResponse(reply: FrontDoorReply, target: RouterTarget, attempts: number): RouterHttpResponse {
  return json(reply.status, reply.body, { ...tagHeaders(target, attempts), ...pick(reply.headers, ['retry-after']) });
}

/** Every response says which target served it: the region is on every request. */
function tagHeaders(target: RouterTarget, attempts: number): Record<string, string> {
  return { 'x-headroom-target': target.key, 'x-headroom-region': target.region, 'x-headroom-attempts': String(attempts) };
}

function pick(headers: Readonly<Record<string, string>>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => names.includes(name.toLowerCase())));
}

async function routeRequest(deps: PipelineDeps, api: Api, request: RouterHttpRequest): Promise<RouterHttpResponse> {
  const started = deps.now();
  const requestId = deps.newRequestId?.() ?? randomUUID();
  let parsed: FrontDoorRequest;
  try {
    parsed = parseFrontDoor(api, request.body, request.headers, deps.config);
  } catch (error) {
    if (error instanceof FrontDoorError) return errorResponse(api, error);
    throw error;
  }
  const family = deps.config.families[parsed.family]!;
  const shared = await readShared(deps, family.targets);
  const attempts: AttemptRecord[] = [];
  const denials: RouterTarget[] = [];
  const excluded = new Set<string>();
  let lastFailure: { reply: FrontDoorReply; target: RouterTarget } | undefined;

  const finish = (response: RouterHttpResponse, servedBy?: RouterTarget, usage?: { inputTokens: number; outputTokens: number }): RouterHttpResponse => {
    deps.telemetry?.record({
      requestId, family: parsed.family, api, attempts, retryBudgetDenials: denials, clientStatus: response.status,
      ...(servedBy ? { servedBy } : {}), ...(usage ? { usage } : {}), latencyMs: deps.now() - started,
      headroom: headroomOf(deps, family.targets),
    });
    return response;
  };

  for (;;) {
    const placement = deps.router.place({ family: parsed.family, estimate: parsed.estimate, ...(parsed.residency ? { residency: parsed.residency } : {}) }, deps.now(), shared, excluded);
    if (placement.kind === 'unservable') {
      const message = placement.reason === 'no-target-serves-pin'
        ? `no target of this model processes in '${parsed.residency}'`
        : 'the request is larger than any target of this model can ever admit; lower max_tokens or shorten the prompt';
      return finish(errorResponse(api, new FrontDoorError('invalid_request', message)));
    }
    if (placement.kind === 'exhausted') {
      // Every eligible target failed with errors rather than quota: the client sees the last error.
      if (lastFailure && placement.reason === 'all-excluded' && attempts.every((a) => a.outcome !== 'throttled')) {
        return finish(replyResponse(lastFailure.reply, lastFailure.target, attempts.length));
      }
      const seconds = Math.max(1, Math.ceil(placement.retryAfterMs / 1000));
      return finish(errorResponse(api, new FrontDoorError('rate_limit', `every eligible target of '${parsed.model}' is at its quota; retry after ${seconds} s`, seconds)));
    }
    const { target, ticket } = placement;
    await forward(deps, () => deps.store?.add(target.key, ticket.charged, deps.now()));
    const attemptStart = deps.now();
    const result = await send(deps, target, parsed, ticket);
    const outcome = result.kind === 'complete' ? result.outcome : result.kind === 'failed' ? result.outcome : undefined;
    if (result.kind === 'stream') {
      attempts.push(attempt(target, 'success', 200, deps.now() - attemptStart, attempts.length > 0, result.logHeaders));
      return streamResponse(deps, result, target, ticket, attempts.length, (final) => {
        const usage = final.kind === 'success' ? final.usage : undefined;
        finish({ status: 200, headers: {}, body: '' }, target, usage);
      });
    }
    const completion = await complete(deps, ticket, outcome!);
    attempts.push(attempt(target, outcome!.kind, result.reply.status, deps.now() - attemptStart, attempts.length > 0, result.logHeaders));
    if (result.kind === 'complete') {
      return finish(replyResponse(result.reply, target, attempts.length), target, result.outcome.usage);
    }
    if (!completion.failover) return finish(replyResponse(result.reply, target, attempts.length));
    lastFailure = { reply: result.reply, target };
    excluded.add(target.key);
    if (!deps.router.mayRetry(target.key, deps.now()).allowed) {
      denials.push(target);
      return finish(replyResponse(result.reply, target, attempts.length));
    }
  }
}

function attempt(target: RouterTarget, outcome: AttemptRecord['outcome'], status: number | undefined, latencyMs: number, retry: boolean, headers: Readonly<Record<string, string>>): AttemptRecord {
  return { target, outcome, ...(status !== undefined ? { status } : {}), latencyMs, retry, rateLimitHeaders: headers };
}

async function send(deps: PipelineDeps, target: RouterTarget, parsed: FrontDoorRequest, ticket: Ticket): Promise<UpstreamResult> {
  const signal = AbortSignal.timeout(deps.config.routing.timeouts.totalMs);
  try {
    return await deps.adapters[target.provider].send(target, { api: parsed.api, body: parsed.body, stream: parsed.stream }, signal);
  } catch (error) {
    // A misconfigured target or a failing credential source is our problem, not the client's: fail over.
    deps.warn?.('upstream call could not be made', { target: target.key, ticket: ticket.id, error: (error as Error).name, message: (error as Error).message });
    const reply = { status: 502, headers: {}, body: new FrontDoorError('upstream', 'the router could not call this target').body(parsed.api) };
    return { kind: 'failed', outcome: { kind: 'server-error', status: 502 }, reply, logHeaders: {} };
  }
}

async function complete(deps: PipelineDeps, ticket: Ticket, outcome: AttemptOutcome): Promise<Completion> {
  const completion = deps.router.complete(ticket, outcome, deps.now());
  const { charge, cooldownUntil } = completion.shared;
  await Promise.all([
    charge ? forward(deps, () => deps.store?.add(ticket.target, charge, deps.now())) : undefined,
    cooldownUntil !== undefined ? forward(deps, () => deps.store?.cooldown(ticket.target, cooldownUntil, deps.now())) : undefined,
  ]);
  return completion;
}

/** Once bytes flow there is no failover: settle when the stream ends, however it ends. */
function streamResponse(deps: PipelineDeps, result: Extract<UpstreamResult, { kind: 'stream' }>, target: RouterTarget, ticket: Ticket, attempts: number, done: (final: AttemptOutcome) => void): RouterHttpResponse {
  async function* events(): AsyncIterable<Uint8Array> {
    try {
      yield* result.events;
    } finally {
      const final = await result.settled;
      await complete(deps, ticket, final);
      done(final);
    }
  }
  return { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...tagHeaders(target, attempts) }, body: events() };
}

async function readShared(deps: PipelineDeps, targets: readonly string[]): Promise<Readonly<Record<string, SharedUsage>> | undefined> {
  if (!deps.store) return undefined;
  try {
    return await deps.store.read(targets, deps.now());
  } catch (error) {
    // Own accounting still applies: a request is never admitted unaccounted, only with staler evidence.
    deps.warn?.('shared state unreadable; routing on this instance\'s accounting', { error: (error as Error).message });
    return undefined;
  }
}

async function forward(deps: PipelineDeps, write: () => Promise<void> | undefined): Promise<void> {
  try {
    await write();
  } catch (error) {
    deps.warn?.('shared state write failed', { error: (error as Error).message });
  }
}

function headroomOf(deps: PipelineDeps, keys: readonly string[]): { target: RouterTarget; percent: number }[] {
  const status = deps.router.status(deps.now()).targets;
  return keys.map((key) => ({ target: deps.config.targets[key]!, percent: status.find((s) => s.key === key)?.headroomPct ?? 0 }));
}
