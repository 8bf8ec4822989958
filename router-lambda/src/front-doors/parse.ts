import { estimateTokens, GEOS, type Api, type Geo, type RequestEstimate, type RouterConfig } from '@headroom/plan/runtime';
// Named imports so the bundler drops the rest of zod (a namespace object keeps all of it, locales included).
import { array, boolean, int, looseObject, minLength, nullable, optional, positive, string, unknown, type core } from 'zod/mini';
import { FrontDoorError } from './errors';
import { jsonDepthExceeding, MAX_JSON_DEPTH } from './json-depth';

/** A client request, validated and resolved to a family. The body is forwarded, not rebuilt. */
export interface FrontDoorRequest {
  readonly api: Api;
  readonly family: string;
  readonly model: string;
  readonly stream: boolean;
  readonly body: Readonly<Record<string, unknown>>;
  readonly estimate: RequestEstimate;
  readonly residency?: Geo;
}

/** When an OpenAI request sets no limit, admit as if it asked for this many output tokens. */
export const DEFAULT_OPENAI_MAX_TOKENS = 4096;

// zod/mini: the same validation at a fraction of the Lambda bundle and cold start of classic zod.
const message = looseObject({ role: string(), content: unknown() });
const positiveInt = () => int().check(positive());
// https://docs.anthropic.com/en/api/messages: model, max_tokens and messages are required.
const anthropicBody = looseObject({
  model: string().check(minLength(1)),
  max_tokens: positiveInt(),
  messages: array(message).check(minLength(1)),
  system: optional(unknown()),
  stream: optional(boolean()),
});
// https://platform.openai.com/docs/api-reference/chat/create: the limits and stream may be null (the SDK sends null as given).
const openAiBody = looseObject({
  model: string().check(minLength(1)),
  messages: array(message).check(minLength(1)),
  max_tokens: optional(nullable(positiveInt())),
  max_completion_tokens: optional(nullable(positiveInt())),
  stream: optional(nullable(boolean())),
});

/** zod/mini carries no message locale: say what was expected ourselves. */
function describeIssue(issue: core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': return `expected ${issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`}`;
    case 'too_small': return issue.origin === 'array' ? `needs at least ${String(issue.minimum)} item(s)` : issue.origin === 'string' ? 'must not be empty' : `must be ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`;
    default: return 'is not valid';
  }
}

export function parseFrontDoor(api: Api, rawBody: string, headers: Readonly<Record<string, string | undefined>>, config: RouterConfig): FrontDoorRequest {
  // Before JSON.parse: validation, the estimate and the adapters all recurse per level.
  if (jsonDepthExceeding(rawBody, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new FrontDoorError('invalid_request', `the request body nests JSON deeper than ${MAX_JSON_DEPTH} levels`);
  }
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw new FrontDoorError('invalid_request', 'the request body is not valid JSON');
  }
  const parsed = (api === 'anthropic' ? anthropicBody : openAiBody).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'body';
    throw new FrontDoorError('invalid_request', `${field}: ${describeIssue(issue)}`, undefined, field);
  }
  const body = parsed.data as Record<string, unknown> & { model: string; stream?: boolean | null; max_tokens?: number | null; max_completion_tokens?: number | null };
  const family = Object.entries(config.families).find(([, f]) => f.api === api && f.aliases.includes(body.model))?.[0];
  if (!family) {
    const served = Object.values(config.families).filter((f) => f.api === api).flatMap((f) => f.aliases);
    throw new FrontDoorError('not_found', `model '${body.model}' is not served here; models: ${served.join(', ')}`, undefined, 'model');
  }
  const residency = parseResidency(headers['x-headroom-residency']);
  const maxTokens = api === 'anthropic' ? body.max_tokens! : openAiMaxTokens(body.max_tokens, body.max_completion_tokens);
  const promptText = JSON.stringify([body.system ?? '', body.messages]);
  return {
    api, family, model: body.model, stream: body.stream === true, body,
    estimate: { inputTokens: estimateTokens(promptText), maxTokens },
    ...(residency ? { residency } : {}),
  };
}

/**
 * max_completion_tokens replaces the deprecated max_tokens, and upstreams differ in which one they
 * read when both are sent: admit the larger, so no upstream counts more than the router admitted.
 */
function openAiMaxTokens(maxTokens: number | null | undefined, maxCompletionTokens: number | null | undefined): number {
  const limits = [maxTokens, maxCompletionTokens].filter((n): n is number => typeof n === 'number');
  return limits.length > 0 ? Math.max(...limits) : DEFAULT_OPENAI_MAX_TOKENS;
}

function parseResidency(value: string | undefined): Geo | undefined {
  if (value === undefined || value === '') return undefined;
  const geo = value.trim().toLowerCase();
  if ((GEOS as readonly string[]).includes(geo)) return geo as Geo;
  throw new FrontDoorError('invalid_request', `x-headroom-residency '${value}' is not a geography; use one of ${GEOS.join(', ')}`, undefined, 'x-headroom-residency');
}
