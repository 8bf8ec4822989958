/**
 * Mutated client requests for the fuzz test, each with what the APIs' documentation says may come of
 * it. Cases are recipes (small, printable); the bytes are built only when a case runs.
 */
import fc from 'fast-check';
import type { Api } from '@headroom/plan/runtime';
import { baseBody, FIELDS, isWrongFor, KEY, MODEL_SLOT, SLOT, SLOTS, spliced, VALUES, withValue, without, type Field, type JsonType, type Path } from './fuzz-bodies.test-helpers';

/** The router's documented limits: nesting, body (Lambda's 6 MB request payload), request line plus headers. */
export const NESTING_LIMIT = 64;
export const BODY_LIMIT_BYTES = 6 * 1024 * 1024;
export const HEADER_LIMIT_BYTES = 16 * 1024;

/**
 * - served: 200;
 * - refused: the router's own client error, no upstream attempt;
 * - rejected-upstream: forwarded, and the upstream's client error came back in the door's format.
 */
export type Outcome = 'served' | 'refused' | 'rejected-upstream';
const ANY: readonly Outcome[] = ['served', 'refused', 'rejected-upstream'];
const FORWARDED: readonly Outcome[] = ['served', 'rejected-upstream'];
const CLIENT_ERROR: readonly Outcome[] = ['refused', 'rejected-upstream'];

export const MUTATION_KINDS = [
  'valid', 'deep-nesting', 'huge-string', 'non-utf8', 'wrong-type', 'out-of-range', 'missing-field',
  'unknown-field', 'duplicate-key', 'empty-or-not-object', 'non-json', 'http',
] as const;
export type MutationKind = (typeof MUTATION_KINDS)[number];

export interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface Materialized {
  readonly request: FuzzRequest;
  readonly allowed: readonly Outcome[];
  /** The error format a reply must have: the door's, or either for a path that is no door. */
  readonly errorFormat: Api | 'either';
}

export interface FuzzCase {
  readonly kind: MutationKind;
  readonly api: Api;
  /** What was done, for the failure report. */
  readonly note: string;
  materialize(): Materialized;
}

const DOOR_PATH: Record<Api, string> = { anthropic: '/v1/messages', openai: '/v1/chat/completions' };

const post = (api: Api, body: string | Buffer, headers: Record<string, string> = {}): FuzzRequest =>
  ({ method: 'POST', path: DOOR_PATH[api], headers: { 'content-type': 'application/json', ...headers }, body: Buffer.isBuffer(body) ? body : Buffer.from(body) });

function fuzzCase(kind: MutationKind, api: Api, note: string, build: () => { request: FuzzRequest; allowed: readonly Outcome[]; errorFormat?: Api | 'either' }): FuzzCase {
  return {
    kind, api, note,
    materialize: () => ({ errorFormat: api, ...build() }),
    [fc.toStringMethod]: () => `${api} ${kind}: ${note}`,
  } as FuzzCase;
}

function deepText(depth: number, shape: 'arrays' | 'objects' | 'mixed', leaf: string): string {
  const opens: string[] = [];
  const closes: string[] = [];
  for (let i = 0; i < depth; i++) {
    const array = shape === 'arrays' || (shape === 'mixed' && i % 2 === 0);
    opens.push(array ? '[' : '{"k":');
    closes.push(array ? ']' : '}');
  }
  return opens.join('') + leaf + closes.reverse().join('');
}

/** Deep nesting around and far past the limit, in the fields clients fill and one they invent. */
function deepNesting(api: Api): fc.Arbitrary<FuzzCase> {
  const depth = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: NESTING_LIMIT - 8, max: NESTING_LIMIT + 4 }), fc.integer({ min: NESTING_LIMIT + 5, max: 5_000 }), fc.constant(100_000));
  // Brackets and escaped quotes inside strings are no nesting.
  const leaf = fc.constantFrom('0', 'null', '"x"', '"[[{{\\"]]"', '"}}]]\\\\"');
  return fc.tuple(baseBody(api), fc.constantFrom(...SLOTS[api]), depth, fc.constantFrom('arrays', 'objects', 'mixed') as fc.Arbitrary<'arrays' | 'objects' | 'mixed'>, leaf)
    .map(([body, slot, d, shape, l]) => {
      // Every step of the slot's path is one enclosing object or array.
      const total = slot.path.length + d;
      return fuzzCase('deep-nesting', api, `${shape} ${d} deep in ${slot.name} (body depth ${total})`, () => ({
        request: post(api, spliced(body, slot.path, deepText(d, shape, l))),
        allowed: total > NESTING_LIMIT ? ['refused'] : FORWARDED,
      }));
    });
}

/** JSON-encoded bytes per character: multi-byte UTF-8 and escapes make a body larger than its length. */
const CHARS: readonly (readonly [string, number])[] = [['x', 1], ['é', 2], ['€', 3], ['😀', 4], ['"', 2], ['\u0001', 6]];

function hugeString(api: Api): fc.Arbitrary<FuzzCase> {
  const size = fc.constantFrom('64 KiB', '1 MiB', 'just within the limit', 'just past the limit');
  return fc.tuple(baseBody(api), fc.constantFrom(...SLOTS[api], MODEL_SLOT), size, fc.constantFrom(...CHARS)).map(([body, slot, which, [char, bytesPerChar]]) =>
    fuzzCase('huge-string', api, `${which} of ${JSON.stringify(char)} in ${slot.name}`, () => {
      const rest = Buffer.byteLength(spliced(body, slot.path, '""'));
      const target = which === '64 KiB' ? 64 * 1024 : which === '1 MiB' ? 1024 * 1024 : BODY_LIMIT_BYTES - rest + (which === 'just past the limit' ? 1 : 0);
      const count = which === 'just past the limit' ? Math.ceil(target / bytesPerChar) : Math.floor(target / bytesPerChar);
      const bytes = Buffer.from(spliced(body, slot.path, JSON.stringify(char.repeat(count))));
      // A prompt past every target's limits is the router's 400; an unknown model its 404.
      const within = slot === MODEL_SLOT ? ['refused'] as const : slot.estimated ? ['served', 'refused'] as const : FORWARDED;
      return { request: post(api, bytes), allowed: bytes.length > BODY_LIMIT_BYTES ? ['refused'] : within };
    }));
}

/** Bytes that are not UTF-8 (RFC 3629); JSON between systems must be UTF-8 (RFC 8259 section 8.1). */
const INVALID_UTF8: readonly number[][] = [[0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc3]];

function nonUtf8(api: Api): fc.Arbitrary<FuzzCase> {
  const where = fc.oneof(
    fc.constantFrom(...SLOTS[api], MODEL_SLOT).map((slot) => ({ kind: 'in a string' as const, slot })),
    fc.constant({ kind: 'between tokens' as const }),
    fc.uint8Array({ maxLength: 64 }).map((noise) => ({ kind: 'whole body' as const, noise })),
  );
  return fc.tuple(baseBody(api), fc.constantFrom(...INVALID_UTF8), where).map(([body, bad, at]) =>
    fuzzCase('non-utf8', api, `${bad.map((b) => b.toString(16)).join(' ')} ${at.kind}${'slot' in at ? ` in ${at.slot.name}` : ''}`, () => {
      const invalid = Buffer.from(bad);
      let bytes: Buffer;
      if (at.kind === 'whole body') bytes = Buffer.concat([invalid, Buffer.from(at.noise)]);
      else if (at.kind === 'between tokens') bytes = Buffer.concat([Buffer.from('{'), invalid, Buffer.from(JSON.stringify(body).slice(1))]);
      else {
        const [before, after] = spliced(body, at.slot.path, `"ab${SLOT}cd"`).split(SLOT) as [string, string];
        bytes = Buffer.concat([Buffer.from(before), invalid, Buffer.from(after)]);
      }
      return { request: post(api, bytes), allowed: ['refused'] };
    }));
}

/** What a body with `field` set to a value of `types` may come to, by the field's documented type. */
function judged(field: Field, types: readonly JsonType[]): readonly Outcome[] {
  if (!isWrongFor(field, types)) return ['served'];
  return field.read ? ['refused'] : field.upstreamChecks ? CLIENT_ERROR : ANY;
}

function wrongType(api: Api): fc.Arbitrary<FuzzCase> {
  const pairs = FIELDS[api].flatMap((field) => VALUES.filter(([, types]) => isWrongFor(field, types)).map(([value, types]) => ({ field, value, types, note: 'wrong type' })));
  // The documented alternative the router may not expect: null where OpenAI allows null.
  const nulls = FIELDS[api].filter((f) => f.types.includes('null')).map((field) => ({ field, value: null, types: ['null'] as const, note: 'null, as documented' }));
  return fc.tuple(baseBody(api), fc.constantFrom(...pairs, ...nulls)).map(([body, { field, value, types, note }]) =>
    fuzzCase('wrong-type', api, `${field.path.join('.')} = ${JSON.stringify(value)} (${note})`, () => ({ request: post(api, JSON.stringify(withValue(body, field.path, value))), allowed: judged(field, types) })));
}

function outOfRange(api: Api): fc.Arbitrary<FuzzCase> {
  const limits = FIELDS[api].filter((f) => f.types.includes('integer') && f.read).map((f) => f.path);
  // Integers the type allows but no target can admit, or below 1; number texts JSON.parse reads as such.
  const badTokens = fc.constantFrom('0', '-1', '-0', '-2147483648', '2147483648', '9007199254740993', '1e308', '1e400', '-1e400', '1000000');
  const integralTokens = fc.constantFrom('1e1', '16.0', '1E+1');
  const temperature = fc.constantFrom('-1', '2.5', '1e308', '-1e308');
  return fc.oneof(
    fc.tuple(baseBody(api), fc.constantFrom(...limits), badTokens).map(([body, path, n]) => fuzzCase('out-of-range', api, `${path.join('.')} = ${n}`, () => ({ request: post(api, spliced(body, path, n)), allowed: ['refused'] }))),
    fc.tuple(baseBody(api), fc.constantFrom(...limits), integralTokens).map(([body, path, n]) => fuzzCase('out-of-range', api, `${path.join('.')} = ${n} (an integer)`, () => ({ request: post(api, spliced(body, path, n)), allowed: ['served'] }))),
    fc.tuple(baseBody(api), temperature).map(([body, t]) => fuzzCase('out-of-range', api, `temperature = ${t}`, () => ({ request: post(api, spliced(body, ['temperature'], t)), allowed: ANY }))),
  );
}

function missingField(api: Api): fc.Arbitrary<FuzzCase> {
  return fc.tuple(baseBody(api), fc.constantFrom(...FIELDS[api].filter((f) => f.path[f.path.length - 1] !== -1 && f.path[f.path.length - 1] !== 0))).map(([body, field]) =>
    fuzzCase('missing-field', api, `without ${field.path.join('.')}`, () => ({
      request: post(api, JSON.stringify(without(body, field.path))),
      allowed: !field.required ? ['served'] : field.read ? ['refused'] : CLIENT_ERROR,
    })));
}

/** Members no door documents, including names that mean something to JavaScript objects. */
function unknownField(api: Api): fc.Arbitrary<FuzzCase> {
  const documented = new Set(FIELDS[api].map((f) => String(f.path[f.path.length - 1])).concat(['type', 'text', 'name', 'input_schema', 'function', 'k', 'user_id', 'q']));
  const name = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', 'Model', 'stream '), fc.string({ minLength: 1, maxLength: 12 })).filter((n) => !documented.has(n));
  const value = fc.oneof(fc.constantFrom('{"stream":true}', '{"max_tokens":1,"model":"x"}', '{"role":5}', 'null'), fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)));
  const where: fc.Arbitrary<Path> = fc.constantFrom([], ['messages', 0], ['metadata'], ['tools', 0]);
  return fc.tuple(baseBody(api), where, name, value).map(([body, container, n, v]) =>
    fuzzCase('unknown-field', api, `${JSON.stringify(n)}: ${v.slice(0, 40)} in ${container.join('.') || 'the body'}`, () => {
      const json = container.length === 0 ? `{"${KEY}":"${SLOT}",${JSON.stringify(body).slice(1)}` : JSON.stringify(withValue(body, [...container, KEY], SLOT));
      return { request: post(api, json.replace(`"${KEY}":"${SLOT}"`, () => `${JSON.stringify(n)}:${v}`)), allowed: FORWARDED };
    }));
}

/** JSON.parse, like Python's json, keeps the last of duplicate names (RFC 8259 section 4 leaves it open). */
function duplicateKey(api: Api): fc.Arbitrary<FuzzCase> {
  const topLevel = FIELDS[api].filter((f) => f.path.length === 1 && f.read);
  const pairs = topLevel.flatMap((field) => VALUES.filter(([, types]) => isWrongFor(field, types)).map(([value]) => ({ field, value })));
  return fc.tuple(baseBody(api), fc.constantFrom(...pairs), fc.boolean()).map(([body, { field, value }, wrongLast]) => {
    const name = String(field.path[0]);
    const present = name in body;
    return fuzzCase('duplicate-key', api, `${name} twice, ${JSON.stringify(value)} ${wrongLast ? 'last' : 'first'}${present ? '' : ' (only)'}`, () => {
      const json = JSON.stringify(body);
      const pair = `${JSON.stringify(name)}:${JSON.stringify(value)}`;
      const text = wrongLast ? `${json.slice(0, -1)},${pair}}` : `{${pair},${json.slice(1)}`;
      return { request: post(api, text), allowed: wrongLast || !present ? ['refused'] : ['served'] };
    });
  });
}

function emptyOrNotObject(api: Api): fc.Arbitrary<FuzzCase> {
  return fc.constantFrom('', ' ', '\r\n', 'null', '[]', '[{}]', '""', '"{}"', '0', '-1', 'true', '{}')
    .map((body) => fuzzCase('empty-or-not-object', api, JSON.stringify(body), () => ({ request: post(api, body), allowed: ['refused'] })));
}

function nonJson(api: Api): fc.Arbitrary<FuzzCase> {
  type Edit = readonly [string, (json: string, cut: number) => string, readonly Outcome[]];
  const edits: readonly Edit[] = [
    ['truncated', (j, cut) => j.slice(0, 1 + (cut % (j.length - 1))), ['refused']],
    ['trailing garbage', (j, cut) => j + ['x', '}', ',', '{}', '[]', '\u0000', 'null'][cut % 7], ['refused']],
    ['leading garbage', (j, cut) => [')]}\'\n', 'x', ',', '//\n'][cut % 4] + j, ['refused']],
    ['trailing comma', (j) => `${j.slice(0, -1)},}`, ['refused']],
    ['single quotes', (j) => j.replace('"model"', "'model'"), ['refused']],
    ['comment', (j) => `/* c */${j}`, ['refused']],
    // RFC 8259 section 8.1: a parser MAY ignore a byte order mark.
    ['byte order mark', (j) => `\uFEFF${j}`, ['refused', 'served']],
    ['whitespace around', (j) => ` \n\t${j}\r\n `, ['served']],
    ['NaN max_tokens', (j) => j.replace(/"max_tokens":\d+/, '"max_tokens":NaN').replace(/^\{(?!.*"max_tokens")/, '{"max_tokens":NaN,'), ['refused']],
    ['hex max_tokens', (j) => j.replace(/"max_tokens":\d+/, '"max_tokens":0x10').replace(/^\{(?!.*"max_tokens")/, '{"max_tokens":0x10,'), ['refused']],
  ];
  return fc.tuple(baseBody(api), fc.constantFrom(...edits), fc.nat()).map(([body, [name, edit, allowed], cut]) =>
    fuzzCase('non-json', api, name, () => ({ request: post(api, edit(JSON.stringify(body), cut)), allowed })));
}

const WRONG_PATHS: Record<Api, readonly string[]> = {
  anthropic: ['/v1/message', '/v1/messages/', '/V1/MESSAGES', '/v2/messages', '/v1/messages/batches', '/', '/v1/complete'],
  openai: ['/v1/chat/completion', '/v1/chat/completions/', '/v1/completions', '/v1/responses', '/chat/completions'],
};

/** One change to a valid request outside its body. */
interface HttpEdit { readonly note: string; readonly edit: (request: FuzzRequest) => FuzzRequest; readonly allowed: readonly Outcome[]; readonly errorFormat?: 'either' }
const withHeaders = (headers: Record<string, string>) => (r: FuzzRequest) => ({ ...r, headers: { ...r.headers, ...headers } });

/** Mistakes outside the body: paths, methods, oversized headers, the residency header. */
function http(api: Api): fc.Arbitrary<FuzzCase> {
  const edits = fc.oneof(
    fc.constantFrom(...WRONG_PATHS[api]).map((path): HttpEdit => ({ note: `POST ${path}`, edit: (r) => ({ ...r, path }), allowed: ['refused'], errorFormat: 'either' })),
    fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS').map((method): HttpEdit => ({ note: `${method} on the door`, edit: (r) => ({ ...r, method }), allowed: ['refused'] })),
    fc.integer({ min: HEADER_LIMIT_BYTES + 1, max: 64 * 1024 }).map((n): HttpEdit => ({ note: `${n} bytes in one header`, edit: withHeaders({ 'x-fuzz': 'h'.repeat(n) }), allowed: ['refused'] })),
    fc.constant<HttpEdit>({ note: 'headers over the limit in 20 of 1 KiB', edit: withHeaders(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`x-fuzz-${i}`, 'h'.repeat(1024)]))), allowed: ['refused'] }),
    fc.constantFrom('mars', 'EU;drop', 'us,eu').map((geo): HttpEdit => ({ note: `x-headroom-residency ${geo}`, edit: withHeaders({ 'x-headroom-residency': geo }), allowed: ['refused'] })),
    // A geography no target of the family serves is refused too.
    fc.constantFrom('eu', 'US').map((geo): HttpEdit => ({ note: `x-headroom-residency ${geo}`, edit: withHeaders({ 'x-headroom-residency': geo }), allowed: ['served', 'refused'] })),
    fc.constant<HttpEdit>({ note: 'a query string', edit: (r) => ({ ...r, path: `${r.path}?beta=true&x=%ZZ` }), allowed: ['served'] }),
  );
  return fc.tuple(baseBody(api), edits).map(([body, { note, edit, allowed, errorFormat }]) =>
    fuzzCase('http', api, note, () => ({ request: edit(post(api, JSON.stringify(body))), allowed, ...(errorFormat ? { errorFormat } : {}) })));
}

/** A body exactly at the nesting limit and one level past it, in a field the router passes through. */
export function nestingBoundary(api: Api, bodyDepth: number): FuzzCase {
  const body = api === 'anthropic'
    ? { model: 'claude-sonnet-4-6', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }
    : { model: 'gpt-5.1', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] };
  return fuzzCase('deep-nesting', api, `body depth ${bodyDepth} (boundary)`, () => ({
    request: post(api, spliced(body, ['x_fuzz'], deepText(bodyDepth - 1, 'mixed', '"]]"'))),
    allowed: bodyDepth > NESTING_LIMIT ? ['refused'] : ['served'],
  }));
}

/**
 * Both OpenAI limits, one far past any model's output limit: a 400 whichever the upstream reads
 * (max_completion_tokens replaces the deprecated max_tokens), so the router must not admit it as small.
 */
export function bothTokenLimits(maxTokens: number, maxCompletionTokens: number): FuzzCase {
  const body = { model: 'gpt-5.1', max_tokens: maxTokens, max_completion_tokens: maxCompletionTokens, messages: [{ role: 'user', content: 'hi' }] };
  return fuzzCase('out-of-range', 'openai', `max_tokens ${maxTokens} with max_completion_tokens ${maxCompletionTokens}`, () => ({ request: post('openai', JSON.stringify(body)), allowed: ['refused'] }));
}

/** A member named __proto__ is data to JSON.parse; it must not become the body's prototype (a stream or a limit). */
export function protoMember(api: Api): FuzzCase {
  const body = api === 'anthropic'
    ? '{"model":"claude-sonnet-4-6","max_tokens":16,"messages":[{"role":"user","content":"hi"}],"__proto__":{"stream":true,"max_tokens":1000000}}'
    : '{"model":"gpt-5.1","messages":[{"role":"user","content":"hi"}],"__proto__":{"stream":true,"max_tokens":1000000}}';
  return fuzzCase('unknown-field', api, '__proto__ carrying stream and max_tokens', () => ({ request: post(api, body), allowed: FORWARDED }));
}

function valid(api: Api): fc.Arbitrary<FuzzCase> {
  return baseBody(api).map((body) => fuzzCase('valid', api, `stream ${String(body.stream)}`, () => ({ request: post(api, JSON.stringify(body)), allowed: ['served'] })));
}

/** Every mutation kind for one front door, equally likely. */
export function fuzzCases(api: Api): fc.Arbitrary<FuzzCase> {
  const byKind: Record<MutationKind, (api: Api) => fc.Arbitrary<FuzzCase>> = {
    valid, 'deep-nesting': deepNesting, 'huge-string': hugeString, 'non-utf8': nonUtf8, 'wrong-type': wrongType, 'out-of-range': outOfRange,
    'missing-field': missingField, 'unknown-field': unknownField, 'duplicate-key': duplicateKey, 'empty-or-not-object': emptyOrNotObject, 'non-json': nonJson, http,
  };
  return fc.oneof(...MUTATION_KINDS.map((kind) => byKind[kind](api)));
}
