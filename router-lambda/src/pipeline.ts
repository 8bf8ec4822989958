import type { Api, Provider, RouterConfig } from '@headroom/plan/runtime';
import type { SharedStore } from './core/contracts';
import type { Router } from './core/router';
import { FrontDoorError } from './front-doors/errors';
import { json, type RouterHttpHandler, type RouterHttpRequest, type RouterHttpResponse } from './http/types';
import type { Timers } from './providers/timers';
import type { ProviderAdapter } from './providers/types';
import { apiForUnknownPath, errorReply, methodNotAllowed, unknownRoute } from './replies';
import { routeRequest } from './route';
import type { RouterTelemetry } from './telemetry';

export interface PipelineDeps {
  readonly config: RouterConfig;
  readonly router: Router;
  readonly adapters: Readonly<Record<Provider, ProviderAdapter>>;
  /** Cross-instance state; without it each process keeps its own accounting. */
  readonly store?: SharedStore;
  /** Router time in ms (the emulator's clock in local runs, Date.now in the Lambda). */
  readonly now: () => number;
  /**
   * What a held request waits on (routing.hold), on the same clock as `now`: tests pass VirtualTimers
   * and move them with the clock. @default the real timers when `now` is `Date.now` (the Lambda);
   * with any other clock and no timers, requests are never held (hold.ts `holdTimers`).
   */
  readonly timers?: Timers;
  readonly telemetry?: RouterTelemetry;
  /** Where operational problems (store unreachable, credentials failing) are reported. */
  readonly warn?: (message: string, details: Record<string, unknown>) => void;
  readonly newRequestId?: () => string;
  /**
   * Serve `GET /status` (the plan, targets, limits, live headroom, breakers). When false it is a 404
   * like any unknown path. @default true (`headroom serve`); the Lambda sets it from its environment.
   */
  readonly exposeStatus?: boolean;
}

const API_ROUTES: Readonly<Record<string, Api>> = { '/v1/messages': 'anthropic', '/v1/chat/completions': 'openai' };

/** The whole router as one handler: the Lambda and `headroom serve` both run it. */
export function createRouterHandler(deps: PipelineDeps): RouterHttpHandler {
  const exposeStatus = deps.exposeStatus ?? true;
  const routes = ['POST /v1/messages', 'POST /v1/chat/completions', 'GET /healthz', ...(exposeStatus ? ['GET /status'] : [])];
  const operational: Readonly<Record<string, () => RouterHttpResponse>> = {
    '/healthz': () => json(200, { status: 'ok', plan: deps.config.plan, planDigest: deps.config.planDigest }, { 'x-headroom-attempts': '0' }),
    ...(exposeStatus ? { '/status': () => json(200, { plan: deps.config.plan, ...deps.router.status(deps.now()) }, { 'x-headroom-attempts': '0' }) } : {}),
  };
  return async (request) => {
    const api = API_ROUTES[request.path];
    if (api) {
      if (request.method !== 'POST') return methodNotAllowed(api, request.method, request.path, 'POST');
      return routeSafely(deps, api, request);
    }
    const serve = operational[request.path];
    if (serve) return request.method === 'GET' ? serve() : methodNotAllowed(apiForUnknownPath(request.path), request.method, request.path, 'GET');
    return unknownRoute(request.method, request.path, routes);
  };
}

/** A router bug never reaches the client as a stack or a bare 500: it gets the API's own 500. */
async function routeSafely(deps: PipelineDeps, api: Api, request: RouterHttpRequest): Promise<RouterHttpResponse> {
  try {
    return await routeRequest(deps, api, request);
  } catch (error) {
    deps.warn?.('request failed inside the router', { path: request.path, error: (error as Error).name, message: (error as Error).message });
    return errorReply(api, new FrontDoorError('internal', 'the router failed to handle this request'), { attempts: 0 });
  }
}
