/**
 * Test support: the real pipeline and core in front of scripted adapters, on a hand-driven clock.
 * An adapter "hangs" by moving the clock on by the headers timeout it was given, so client waits
 * are measured on the injected clock, never the wall clock.
 */
import type { Api, Provider, ResolvedTimeouts, RouterConfig, RouterTarget } from '@headroom/plan/runtime';
import type { FailureOutcome } from './providers/types';
import { exampleConfig } from './core/fixtures';
import { InMemorySharedStore } from './core/in-memory-store';
import { seededRng } from './core/rng';
import { Router, type RouterOptions } from './core/router';
import type { RouterHttpResponse } from './http/types';
import { createRouterHandler, type PipelineDeps } from './pipeline';
import { failureReply } from './providers/outcomes';
import type { ProviderAdapter, UpstreamCall, UpstreamResult } from './providers/types';

/** What a scripted target does with one call. */
export type Behaviour =
  | { readonly kind: 'ok' }
  | { readonly kind: 'fail'; readonly outcome: FailureOutcome }
  /** Never sends headers: the attempt ends at its headers timeout (streamed) or total timeout. */
  | { readonly kind: 'hang' }
  | { readonly kind: 'throw'; readonly error: Error };

export interface ScriptedCall {
  readonly target: string;
  readonly at: number;
  readonly timeouts?: ResolvedTimeouts;
}

export interface ScriptedPipeline {
  readonly config: RouterConfig;
  readonly router: Router;
  readonly store: InMemorySharedStore;
  readonly calls: ScriptedCall[];
  readonly warnings: string[];
  /** The injected clock. */
  now(): number;
  advance(ms: number): void;
  /** Replace a target's behaviour (default: ok). */
  script(target: string, behaviour: Behaviour | ((call: UpstreamCall) => Behaviour)): void;
  request(api: Api, body: unknown, init?: { method?: string; path?: string; headers?: Record<string, string> }): Promise<Reply>;
}

export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** Client wait on the injected clock. */
  readonly waitedMs: number;
}

const PATHS: Record<Api, string> = { anthropic: '/v1/messages', openai: '/v1/chat/completions' };

export function scriptedPipeline(options: { config?: RouterConfig; router?: Partial<RouterOptions>; deps?: Partial<PipelineDeps> } = {}): ScriptedPipeline {
  const config = options.config ?? exampleConfig();
  let clock = 1_000_000;
  const now = () => clock;
  const router = new Router(config, { rng: seededRng(5), ...options.router });
  const store = new InMemorySharedStore({ maxCooldownMs: config.routing.maxCooldownMs });
  const behaviours = new Map<string, Behaviour | ((call: UpstreamCall) => Behaviour)>();
  const calls: ScriptedCall[] = [];
  const warnings: string[] = [];

  const adapter = (provider: Provider): ProviderAdapter => ({
    provider,
    async send(target: RouterTarget, call: UpstreamCall, _signal?: AbortSignal, timeouts?: ResolvedTimeouts): Promise<UpstreamResult> {
      calls.push({ target: target.key, at: clock, ...(timeouts ? { timeouts } : {}) });
      const scripted = behaviours.get(target.key) ?? { kind: 'ok' };
      const behaviour = typeof scripted === 'function' ? scripted(call) : scripted;
      switch (behaviour.kind) {
        case 'ok': {
          const body = call.api === 'anthropic'
            ? { id: 'msg_1', type: 'message', role: 'assistant', content: [{ type: 'text', text: 'ok' }], usage: { input_tokens: 10, output_tokens: 2 } }
            : { id: 'chatcmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] };
          return { kind: 'complete', outcome: { kind: 'success', usage: { inputTokens: 10, outputTokens: 2 }, observations: [] }, reply: { status: 200, headers: {}, body }, logHeaders: {} };
        }
        case 'fail':
          return { kind: 'failed', outcome: behaviour.outcome, reply: failureReply(call.api, behaviour.outcome, undefined, []), logHeaders: {} };
        case 'hang': {
          const limits = timeouts ?? config.routing.timeouts;
          clock += call.stream ? limits.headersMs : limits.totalMs;
          const outcome = { kind: 'timeout' } as const;
          return { kind: 'failed', outcome, reply: failureReply(call.api, outcome, undefined, []), logHeaders: {}, ...(call.stream ? {} : { resendable: false as const }) };
        }
        case 'throw':
          throw behaviour.error;
      }
    },
  });
  const adapters = Object.fromEntries((['anthropic', 'bedrock', 'vertex', 'azure-openai', 'openai'] as const).map((p) => [p, adapter(p)])) as Record<Provider, ProviderAdapter>;
  const handler = createRouterHandler({ config, router, adapters, store, now, warn: (message) => warnings.push(message), ...options.deps });

  return {
    config, router, store, calls, warnings,
    now,
    advance: (ms) => { clock += ms; },
    script: (target, behaviour) => { behaviours.set(target, behaviour); },
    async request(api, body, init = {}) {
      const started = clock;
      const response = await handler({ method: init.method ?? 'POST', path: init.path ?? PATHS[api], headers: init.headers ?? {}, body: typeof body === 'string' ? body : JSON.stringify(body) });
      return { status: response.status, headers: response.headers, body: await bodyOf(response), waitedMs: clock - started };
    },
  };
}

async function bodyOf(response: RouterHttpResponse): Promise<unknown> {
  if (typeof response.body === 'string') return response.body === '' ? undefined : JSON.parse(response.body);
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
