/**
 * The router as a Lambda behind a Function URL with RESPONSE_STREAM. The CDK construct bundles this
 * file with esbuild and embeds the compiled RouterConfig as `process.env.HEADROOM_ROUTER_CONFIG`.
 */
import type { Writable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { ROUTER_CONFIG_SCHEMA, type RouterConfig } from '@headroom/plan/runtime';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { Router } from './core/router';
import { BodyEncodingError } from './http/errors';
import { clientDisconnectSignal, requestFromFunctionUrl, writeToResponseStream, type HttpResponseStreamFactory } from './http/lambda-adapter';
import { json, type RouterHttpHandler, type RouterHttpResponse } from './http/types';
import { createRouterHandler } from './pipeline';
import { createAdapters } from './providers';
import { DynamoDbSharedStore } from './store/dynamodb-store';
import { RouterTelemetry } from './telemetry';

/** The globals the Lambda Node.js runtime provides to streaming handlers. */
interface LambdaRuntime {
  streamifyResponse(handler: (event: LambdaFunctionURLEvent, stream: Writable) => Promise<void>): unknown;
  HttpResponseStream: HttpResponseStreamFactory;
}

export class RouterBootError extends Error {
  override readonly name = 'RouterBootError';
}

/** `HEADROOM_EXPOSE_STATUS` (set by the CDK prop `exposeStatus`): `1` or `true` turns it on. */
function exposeStatusFrom(value: string | undefined): boolean {
  return value === '1' || value?.toLowerCase() === 'true';
}

/**
 * Unless status is exposed, `/healthz` tells callers only that the router is up and which plan
 * digest it runs: not the plan's name, targets or state.
 */
function withQuietHealthz(route: RouterHttpHandler, planDigest: string): RouterHttpHandler {
  return async (request) => (request.method === 'GET' && request.path === '/healthz'
    ? json(200, { status: 'ok', planDigest }, { 'x-headroom-attempts': '0' })
    : route(request));
}

export function embeddedConfig(raw: string | undefined): RouterConfig {
  if (!raw) throw new RouterBootError('HEADROOM_ROUTER_CONFIG is not set: deploy the router with the Headroom CDK construct, which embeds it');
  const config = JSON.parse(raw) as RouterConfig;
  if (config.schema !== ROUTER_CONFIG_SCHEMA) throw new RouterBootError(`embedded config has schema ${JSON.stringify(config.schema)}; this router reads ${ROUTER_CONFIG_SCHEMA}`);
  return config;
}

const runtime = (globalThis as { awslambda?: LambdaRuntime }).awslambda;
if (!runtime) throw new RouterBootError('this entry runs in the Lambda Node.js runtime (awslambda.streamifyResponse); use `headroom serve` locally');

const config = embeddedConfig(process.env.HEADROOM_ROUTER_CONFIG);
const logger = new Logger({ serviceName: 'headroom-router' });
const table = process.env.HEADROOM_STATE_TABLE;
// Off by default: /status shows the plan, its targets, limits, live headroom and breakers to any caller.
const exposeStatus = exposeStatusFrom(process.env.HEADROOM_EXPOSE_STATUS);
const pipeline = createRouterHandler({
  config,
  // The core draws no randomness of its own; the entry point supplies it.
  router: new Router(config, { rng: Math.random }),
  adapters: createAdapters(),
  // The same cap the core applies, so no cooldown is written or read fleet-wide beyond it.
  ...(table ? { store: new DynamoDbSharedStore(new DynamoDBClient({}), table, { maxCooldownMs: config.routing.maxCooldownMs }) } : {}),
  now: Date.now,
  telemetry: new RouterTelemetry(logger),
  warn: (message, details) => logger.warn(message, details),
  exposeStatus,
});
const route = exposeStatus ? pipeline : withQuietHealthz(pipeline, config.planDigest);

/** The router's answer, or the client's 400 for a body that is not UTF-8. */
async function answer(event: LambdaFunctionURLEvent, stream: Writable): Promise<RouterHttpResponse> {
  try {
    return await route(requestFromFunctionUrl(event, clientDisconnectSignal(stream)));
  } catch (error) {
    if (error instanceof BodyEncodingError) return error.reply();
    throw error;
  }
}

export const handler = runtime.streamifyResponse(async (event, stream) => {
  const response = await answer(event, stream);
  if (await writeToResponseStream(stream, response, runtime.HttpResponseStream) === 'client-gone') {
    logger.info('client disconnected mid-response; the upstream stream was closed', { path: event.rawPath, status: response.status });
  }
});
