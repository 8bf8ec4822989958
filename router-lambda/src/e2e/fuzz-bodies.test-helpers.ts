/**
 * Valid Anthropic Messages and OpenAI Chat Completions bodies for the fuzz test, the fields each
 * documents, and the places a mutation can reach.
 * Anthropic: https://docs.anthropic.com/en/api/messages. OpenAI:
 * https://platform.openai.com/docs/api-reference/chat/create (types as in the `openai` SDK).
 */
import fc from 'fast-check';
import type { Api } from '@headroom/plan/runtime';

export type Body = Record<string, unknown>;
export type Path = readonly (string | number)[];
export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'null' | 'array' | 'object';

export const SLOT = 'HEADROOM_FUZZ_SLOT';
export const KEY = 'HEADROOM_FUZZ_KEY';

const text = fc.oneof(fc.string({ maxLength: 24 }), fc.string({ maxLength: 24, unit: 'binary' }));
const tokens = fc.integer({ min: 1, max: 64 });

function anthropicBody(): fc.Arbitrary<Body> {
  const content = fc.oneof(text, fc.array(fc.record({ type: fc.constant('text'), text }), { minLength: 1, maxLength: 2 }));
  return fc.record({
    model: fc.constant('claude-sonnet-4-6'),
    max_tokens: tokens,
    messages: fc.array(content, { minLength: 1, maxLength: 3 }).map((cs) => cs.map((c, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: c }))),
    system: text,
    stream: fc.boolean(),
    metadata: fc.record({ user_id: text }),
    tools: fc.constant([{ name: 'lookup', description: 'Looks a word up', input_schema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } }]),
    temperature: fc.double({ min: 0, max: 1, noNaN: true }),
  }, { requiredKeys: ['model', 'max_tokens', 'messages'] });
}

function openAiBody(): fc.Arbitrary<Body> {
  return fc.record({
    model: fc.constant('gpt-5.1'),
    messages: fc.tuple(fc.option(fc.record({ role: fc.constantFrom('system', 'developer'), content: text }), { nil: undefined }), text)
      .map(([system, user]) => [...(system ? [system] : []), { role: 'user', content: user }]),
    max_tokens: tokens,
    max_completion_tokens: tokens,
    stream: fc.boolean(),
    user: text,
    metadata: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 16 }), { maxKeys: 3 }),
    tools: fc.constant([{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }]),
    temperature: fc.double({ min: 0, max: 2, noNaN: true }),
  }, { requiredKeys: ['model', 'messages'] });
}

export const baseBody = (api: Api) => (api === 'anthropic' ? anthropicBody() : openAiBody());

/** Places in a body a mutation can reach; `estimated` ones count toward the router's token estimate. */
export interface Slot { readonly name: string; readonly path: Path; readonly estimated?: boolean }
export const SLOTS: Record<Api, readonly Slot[]> = {
  anthropic: [
    { name: 'messages', path: ['messages', 0, 'content'], estimated: true },
    { name: 'system', path: ['system'], estimated: true },
    { name: 'metadata.user_id', path: ['metadata', 'user_id'] },
    { name: 'tools', path: ['tools', 0, 'input_schema', 'properties', 'q'] },
    { name: 'unknown field', path: ['x_fuzz'] },
  ],
  openai: [
    { name: 'messages', path: ['messages', -1, 'content'], estimated: true },
    { name: 'user', path: ['user'] },
    { name: 'metadata', path: ['metadata', 'k'] },
    { name: 'tools', path: ['tools', 0, 'function', 'parameters', 'properties', 'q'] },
    { name: 'unknown field', path: ['x_fuzz'] },
  ],
};
export const MODEL_SLOT: Slot = { name: 'model', path: ['model'] };

/**
 * The fields each door documents: their JSON types; whether the router reads them (so a wrong one is
 * its own 400); and whether the emulator, standing in for the API, checks them when forwarded.
 */
export interface Field { readonly path: Path; readonly types: readonly JsonType[]; readonly required?: boolean; readonly read?: boolean; readonly upstreamChecks?: boolean }
export const FIELDS: Record<Api, readonly Field[]> = {
  anthropic: [
    { path: ['model'], types: ['string'], required: true, read: true },
    { path: ['max_tokens'], types: ['integer'], required: true, read: true },
    { path: ['messages'], types: ['array'], required: true, read: true },
    { path: ['messages', 0], types: ['object'], required: true, read: true },
    { path: ['messages', 0, 'role'], types: ['string'], required: true, read: true },
    { path: ['messages', 0, 'content'], types: ['string', 'array'], required: true, upstreamChecks: true },
    { path: ['system'], types: ['string', 'array'], upstreamChecks: true },
    { path: ['stream'], types: ['boolean'], read: true },
    { path: ['metadata'], types: ['object'] },
    { path: ['tools'], types: ['array'] },
    { path: ['temperature'], types: ['number', 'integer'] },
  ],
  openai: [
    { path: ['model'], types: ['string'], required: true, read: true },
    { path: ['messages'], types: ['array'], required: true, read: true },
    { path: ['messages', -1], types: ['object'], required: true, read: true },
    { path: ['messages', -1, 'role'], types: ['string'], required: true, read: true },
    // The emulator also takes null content, which OpenAI allows on assistant messages only.
    { path: ['messages', -1, 'content'], types: ['string', 'array'], required: true },
    // integer or null, boolean or null: the SDK's ChatCompletionCreateParams.
    { path: ['max_tokens'], types: ['integer', 'null'], read: true },
    { path: ['max_completion_tokens'], types: ['integer', 'null'], read: true },
    { path: ['stream'], types: ['boolean', 'null'], read: true },
    { path: ['user'], types: ['string'] },
    { path: ['metadata'], types: ['object', 'null'] },
    { path: ['tools'], types: ['array'] },
    { path: ['temperature'], types: ['number', 'integer', 'null'] },
  ],
};

export const VALUES: readonly (readonly [unknown, readonly JsonType[]])[] = [
  [null, ['null']], [true, ['boolean']], [false, ['boolean']], [0, ['integer', 'number']], [16, ['integer', 'number']],
  [1.5, ['number']], [-2.5e-7, ['number']], ['', ['string']], ['16', ['string']], ['true', ['string']], ['claude-sonnet-4-6', ['string']],
  [[], ['array']], [[1], ['array']], [[{ role: 'user', content: 'hi' }], ['array']], [{}, ['object']], [{ role: 'user' }, ['object']],
];
export const isWrongFor = (field: Field, types: readonly JsonType[]) => !types.some((t) => field.types.includes(t));

function resolve(body: unknown, path: Path): { parent: Record<string | number, unknown>; key: string | number } {
  let node = body as Record<string | number, unknown>;
  for (let i = 0; i < path.length - 1; i++) {
    const key = index(node, path[i]!);
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = typeof path[i + 1] === 'number' ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  }
  return { parent: node, key: index(node, path[path.length - 1]!) };
}
const index = (node: unknown, key: string | number) => (key === -1 && Array.isArray(node) ? node.length - 1 : key);

export function withValue(body: Body, path: Path, value: unknown): Body {
  const copy = structuredClone(body);
  const { parent, key } = resolve(copy, path);
  parent[key] = value;
  return copy;
}

export function without(body: Body, path: Path): Body {
  const copy = structuredClone(body);
  const { parent, key } = resolve(copy, path);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return copy;
}

/** The body's JSON text with `replacement` (raw JSON text) at `path`. */
export function spliced(body: Body, path: Path, replacement: string): string {
  const json = JSON.stringify(withValue(body, path, SLOT));
  return json.replace(`"${SLOT}"`, () => replacement);
}
