/**
 * One API request through the core: place, call the upstream, complete, fail over while the family's
 * retry budget and the request's deadline allow, and answer in the front door's format. A request
 * refused for quota is held first when the wait is known and short (routing.hold, hold.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Api, ResolvedTimeouts, RouterTarget } from '@headroom/plan/runtime';
import type { AttemptOutcome } from './core/contracts';
import type { Completion, Ticket } from './core/router';
import { FrontDoorError } from './front-doors/errors';
import { parseFrontDoor, type FrontDoorRequest } from './front-doors/parse';
import { CLIENT_LEFT_STATUS, clientMaxWaitMs, holdAllowanceMs, holdTimers, holdWaitMs, waitHeld } from './hold';
import { json, type RouterHttpRequest, type RouterHttpResponse } from './http/types';
import type { PipelineDeps } from './pipeline';
import { RequestBuildError, type FrontDoorReply, type UpstreamResult } from './providers/types';
import { errorReply, tagHeaders, upstreamReply, type ReplyTags } from './replies';
import type { AttemptRecord, RequestRecord } from './telemetry';

/**
 * Once an attempt timed out, the request's remaining attempts share this part of one headers
 * timeout: a client waits at most about 1.25 headers timeouts however many targets hang, not one
 * headers timeout per target.
 */
export const AFTER_TIMEOUT_SHARE = 0.25;

/** What one attempt came to: the adapter's result, or a request it could not build (never sent). */
type AttemptResult = UpstreamResult | { readonly kind: 'not-sent'; readonly reply: FrontDoorReply };

export async function routeRequest(deps: PipelineDeps, api: Api, request: RouterHttpRequest): Promise<RouterHttpResponse> {
  const started = deps.now();
  const requestId = deps.newRequestId?.() ?? randomUUID();
  let parsed: FrontDoorRequest;
  let maxWaitMs: number | undefined;
  try {
    parsed = parseFrontDoor(api, request.body, request.headers, deps.config);
    maxWaitMs = clientMaxWaitMs(request.headers);
  } catch (error) {
    if (error instanceof FrontDoorError) return errorReply(api, error, { attempts: 0 });
    throw error;
  }
  const family = deps.config.families[parsed.family]!;
  const wanted = { family: parsed.family, estimate: parsed.estimate, ...(parsed.residency ? { residency: parsed.residency } : {}) };
  const storeKeys = deps.router.storeKeys(family.targets);
  let shared = await readShared(deps, storeKeys);
  const { routing } = deps.config;
  const timers = holdTimers(deps);
  const allowanceMs = timers ? holdAllowanceMs(routing.hold, { stream: parsed.stream, clientMaxWaitMs: maxWaitMs }, routing.timeouts.totalMs) : 0;
  /** Holds so far (routing.hold) and how long they lasted. */
  let holds = 0;
  let heldMs = 0;
  const attempts: AttemptRecord[] = [];
  const denials: RouterTarget[] = [];
  const excluded = new Set<string>();
  let last: RouterTarget | undefined;
  /** Set by the first timeout: later attempts wait for headers only until then. */
  let headersDeadline: number | undefined;

  const tags = (): ReplyTags => ({ attempts: attempts.length, ...(last ? { target: last } : {}) });
  // What a client is told to wait: until some target of the family can take this request, jittered and capped.
  const retryAfter = () => deps.router.clientRetryAfter(deps.router.nextAvailableMs(wanted, deps.now()));
  const finish = (response: RouterHttpResponse, servedBy?: RouterTarget, usage?: { inputTokens: number; outputTokens: number }): RouterHttpResponse => {
    const record: RequestRecord = {
      requestId, family: parsed.family, api, attempts, retryBudgetDenials: denials, clientStatus: response.status,
      ...(servedBy ? { servedBy } : {}), ...(usage ? { usage } : {}), latencyMs: deps.now() - started,
      headroom: headroomOf(deps, family.targets), holds, heldMs,
    };
    deps.telemetry?.record(record);
    return response;
  };
  const unavailable = (waitMs: number, why: string) => {
    const said = deps.router.clientRetryAfter(waitMs);
    return finish(errorReply(api, new FrontDoorError('overloaded', `${why}; retry after ${said.seconds} s`), tags(), said));
  };

  for (;;) {
    if (headersDeadline !== undefined && deps.now() >= headersDeadline) {
      return unavailable(deps.router.nextAvailableMs(wanted, deps.now()), `the targets of '${parsed.model}' did not answer in time`);
    }
    const placement = deps.router.place(wanted, deps.now(), shared, excluded);
    if (placement.kind === 'unservable') {
      const message = placement.reason === 'no-target-serves-pin'
        ? `no target of this model processes in '${parsed.residency}'`
        : 'the request is larger than any target of this model can ever admit; lower max_tokens or shorten the prompt';
      return finish(errorReply(api, new FrontDoorError('invalid_request', message), tags()));
    }
    if (placement.kind === 'exhausted') {
      // Every eligible target failed with errors or has its breaker open, none is at its quota: an outage, not a rate limit.
      const outage = placement.reason === 'breakers-open' || (placement.reason === 'all-excluded' && attempts.length > 0);
      if (outage && attempts.every((a) => a.outcome !== 'throttled')) {
        return unavailable(placement.retryAfterMs, `every target of '${parsed.model}' failed`);
      }
      const holdMs = holdWaitMs(placement, { arrivedAt: started, allowanceMs, holds }, deps.now());
      if (holdMs !== undefined && timers) {
        // Quota frees within this request's hold: wait, then read the shared store again and place anew.
        holds++;
        const heldFrom = deps.now();
        const woke = await waitHeld(timers, holdMs, request.signal);
        heldMs += deps.now() - heldFrom;
        // Nothing was placed while held, so a client that left has nothing to release or charge.
        if (woke === 'client-left') return finish(json(CLIENT_LEFT_STATUS, new FrontDoorError('invalid_request', 'the client closed the request while it was held').body(api), tagHeaders(tags())));
        shared = await readShared(deps, storeKeys);
        continue;
      }
      const said = deps.router.clientRetryAfter(placement.retryAfterMs);
      return finish(errorReply(api, new FrontDoorError('rate_limit', `every eligible target of '${parsed.model}' is at its quota; retry after ${said.seconds} s`), tags(), said));
    }
    const { target, ticket } = placement;
    // The reservation goes to the store while the upstream call runs (ADDs commute, so it may land
    // after the settlement's), so no store round trip sits before the attempt; awaited before any reply.
    const reserved = Promise.all(deps.router.storeKeys([target.key]).map((key) => forward(deps, () => deps.store?.add(key, ticket.charged, deps.now()))));
    const attemptStart = deps.now();
    const result = await send(deps, target, parsed, attemptTimeouts(deps.config.routing.timeouts, headersDeadline, attemptStart), request.signal);
    await reserved;
    if (result.kind === 'not-sent') {
      // The request itself cannot be encoded: the client's 400. The target did nothing wrong.
      await settle(deps, ticket, deps.router.release(ticket, deps.now()));
      return finish(errorReply(api, new FrontDoorError('invalid_request', errorMessageOf(result.reply)), tags()));
    }
    last = target;
    if (result.kind === 'stream') {
      attempts.push(attempt(target, 'success', 200, deps.now() - attemptStart, attempts.length > 0, result.logHeaders));
      return streamResponse(deps, result, ticket, tags(), (final) => {
        const usage = final.kind === 'success' ? final.usage : undefined;
        finish({ status: 200, headers: {}, body: '' }, target, usage);
      });
    }
    const completion = await complete(deps, ticket, result.outcome);
    attempts.push(attempt(target, result.outcome.kind, result.reply.status, deps.now() - attemptStart, attempts.length > 0, result.logHeaders));
    if (result.kind === 'complete') return finish(upstreamReply(result.reply, tags(), retryAfter), target, result.outcome.usage);
    if (result.outcome.kind === 'timeout' && headersDeadline === undefined) {
      headersDeadline = deps.now() + AFTER_TIMEOUT_SHARE * deps.config.routing.timeouts.headersMs;
    }
    // Not resendable: the upstream may have generated (and billed) it, or the client left.
    if (!completion.failover || result.resendable === false) return finish(upstreamReply(result.reply, tags(), retryAfter));
    excluded.add(target.key);
    if (!deps.router.mayRetry(target.key, deps.now()).allowed) {
      // Too many requests of the family are failing over at once: say so in the API's terms, with when to return.
      denials.push(target);
      if (result.outcome.kind === 'throttled') return finish(upstreamReply(result.reply, tags(), retryAfter));
      return unavailable(deps.router.nextAvailableMs(wanted, deps.now()), `'${parsed.model}' is failing over too many requests at once`);
    }
  }
}

/** This attempt's timeouts: the plan's, with the headers wait cut to the request's deadline once one attempt timed out. */
export function attemptTimeouts(timeouts: ResolvedTimeouts, headersDeadline: number | undefined, now: number): ResolvedTimeouts {
  if (headersDeadline === undefined) return timeouts;
  return { ...timeouts, headersMs: Math.max(1, Math.min(timeouts.headersMs, headersDeadline - now)) };
}

function attempt(target: RouterTarget, outcome: AttemptRecord['outcome'], status: number | undefined, latencyMs: number, retry: boolean, headers: Readonly<Record<string, string>>): AttemptRecord {
  return { target, outcome, ...(status !== undefined ? { status } : {}), latencyMs, retry, rateLimitHeaders: headers };
}

/** `client` aborts when the client leaves: the adapter cancels the upstream call and marks it not resendable. */
async function send(deps: PipelineDeps, target: RouterTarget, parsed: FrontDoorRequest, timeouts: ResolvedTimeouts, client: AbortSignal | undefined): Promise<AttemptResult> {
  try {
    return await deps.adapters[target.provider].send(target, { api: parsed.api, body: parsed.body, stream: parsed.stream }, client, timeouts);
  } catch (error) {
    if (error instanceof RequestBuildError) return { kind: 'not-sent', reply: error.reply() };
    // A misconfigured target or a failing credential source is our problem, not the client's: fail over.
    deps.warn?.('upstream call could not be made', { target: target.key, error: (error as Error).name, message: (error as Error).message });
    const reply = { status: 502, headers: {}, body: new FrontDoorError('upstream', 'the router could not call this target').body(parsed.api) };
    return { kind: 'failed', outcome: { kind: 'server-error', status: 502 }, reply, logHeaders: {} };
  }
}

/** The message of a front-door error body, in either API's format. */
function errorMessageOf(reply: FrontDoorReply): string {
  const message = (reply.body as { error?: { message?: unknown } } | undefined)?.error?.message;
  return typeof message === 'string' ? message : 'the request could not be sent upstream';
}

async function complete(deps: PipelineDeps, ticket: Ticket, outcome: AttemptOutcome): Promise<Completion> {
  const completion = deps.router.complete(ticket, outcome, deps.now());
  await settle(deps, ticket, completion);
  return completion;
}

/** Forward what a completion or release says to the shared store. */
async function settle(deps: PipelineDeps, ticket: Ticket, completion: Completion): Promise<void> {
  const { charge, cooldownUntil } = completion.shared;
  await Promise.all([
    // A shared quota is charged under its own id too, so every instance sees both draws on it.
    ...(charge ? deps.router.storeKeys([ticket.target]).map((key) => forward(deps, () => deps.store?.add(key, charge, deps.now()))) : []),
    cooldownUntil !== undefined ? forward(deps, () => deps.store?.cooldown(ticket.target, cooldownUntil, deps.now())) : undefined,
  ]);
}

/** Once bytes flow there is no failover: settle when the stream ends, however it ends. */
function streamResponse(deps: PipelineDeps, result: Extract<UpstreamResult, { kind: 'stream' }>, ticket: Ticket, tags: ReplyTags, done: (final: AttemptOutcome) => void): RouterHttpResponse {
  async function* events(): AsyncIterable<Uint8Array> {
    try {
      yield* result.events;
    } finally {
      const final = await result.settled;
      await complete(deps, ticket, final);
      done(final);
    }
  }
  return { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...tagHeaders(tags) }, body: events() };
}

async function readShared(deps: PipelineDeps, targets: readonly string[]) {
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
