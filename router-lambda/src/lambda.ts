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
import { requestFromFunctionUrl, writeToResponseStream, type HttpResponseStreamFactory } from './http/lambda-adapter';
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
const route = createRouterHandler({
  config,
  // The core draws no randomness of its own; the entry point supplies it.
  router: new Router(config, { rng: Math.random }),
  adapters: createAdapters(),
  ...(table ? { store: new DynamoDbSharedStore(new DynamoDBClient({}), table) } : {}),
  now: Date.now,
  telemetry: new RouterTelemetry(logger),
  warn: (message, details) => logger.warn(message, details),
});

export const handler = runtime.streamifyResponse(async (event, stream) => {
  const response = await route(requestFromFunctionUrl(event));
  if (await writeToResponseStream(stream, response, runtime.HttpResponseStream) === 'client-gone') {
    logger.info('client disconnected mid-response; the upstream stream was closed', { path: event.rawPath, status: response.status });
  }
});
