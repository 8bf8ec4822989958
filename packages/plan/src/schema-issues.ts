import { z } from 'zod';
import { closest, listOf, renderValue, type FieldPath, type PlanProblem } from './problems';
import { planSchema } from './schema';

/** Fields an earlier plan format had: the problem says what replaced them. */
const RETIRED_FIELDS: Readonly<Record<string, Pick<PlanProblem, 'message' | 'allowed' | 'fix'>>> = {
  'routing.timeoutMs': {
    message: "'timeoutMs' was replaced by routing.timeouts: one timeout cut healthy streams and re-sent long non-streaming calls",
    allowed: 'routing.timeouts: { headersMs, idleMs, totalMs } (all optional; defaults 10000, 60000, 600000)',
    fix: 'remove timeoutMs; set routing.timeouts.headersMs (connect + response headers, the failover trigger), '
      + 'routing.timeouts.idleMs (longest gap between stream chunks) or routing.timeouts.totalMs (one response, at most 840000) if the defaults do not fit',
  },
};

/** Turn zod's issues into problems that say what was received, what is allowed and how to fix it. */
export function problemsFromSchema(raw: unknown): PlanProblem[] {
  const result = planSchema.safeParse(raw);
  if (result.success) return [];
  return result.error.issues.flatMap((issue) => fromIssue(issue, raw));
}

function valueAt(raw: unknown, path: FieldPath): unknown {
  let value: unknown = raw;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

/** The schema describing the value at a path, following the data through unions and records. */
function schemaAt(raw: unknown, path: FieldPath): z.ZodType | undefined {
  let schema: z.ZodType | undefined = planSchema;
  for (let i = 0; i <= path.length && schema; i++) {
    schema = unwrap(schema, valueAt(raw, path.slice(0, i)));
    if (i === path.length || !schema) break;
    const part = path[i]!;
    if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[String(part)];
    else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else schema = undefined;
  }
  return schema;
}

function unwrap(schema: z.ZodType, value: unknown): z.ZodType | undefined {
  if (schema instanceof z.ZodOptional) return unwrap(schema.unwrap() as z.ZodType, value);
  if (schema instanceof z.ZodDiscriminatedUnion) {
    const provider = (value as { provider?: unknown } | undefined)?.provider;
    const option = (schema.options as z.ZodType[]).find(
      (o) => o instanceof z.ZodObject && (o.shape as { provider?: z.ZodLiteral }).provider?.value === provider,
    );
    return option;
  }
  return schema;
}

function describeSchema(schema: z.ZodType | undefined): string | undefined {
  if (!schema) return undefined;
  const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  return inner.description ?? schema.description;
}

function fromIssue(issue: z.core.$ZodIssue, raw: unknown): PlanProblem[] {
  const path = issue.path as (string | number)[];
  const received = valueAt(raw, path);
  const field = String(path[path.length - 1] ?? 'plan');
  const described = describeSchema(schemaAt(raw, path));
  const base = { severity: 'error' as const, path, received: renderValue(received) };

  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = Object.keys((schemaAt(raw, path) as z.ZodObject | undefined)?.shape ?? {}).filter((k) => k !== '$schema');
      return issue.keys.map((key): PlanProblem => {
        const retired = RETIRED_FIELDS[[...path, key].join('.')];
        if (retired) return { ...base, path: [...path, key], code: 'schema/retired-field', received: renderValue(valueAt(raw, [...path, key])), ...retired };
        const suggestion = closest(key, known);
        return {
          ...base,
          path: [...path, key],
          code: 'schema/unknown-field',
          message: `unknown field '${key}'`,
          received: renderValue(valueAt(raw, [...path, key])),
          allowed: `one of ${listOf(known)}`,
          fix: suggestion ? `did you mean '${suggestion}'? rename it` : `remove '${key}'`,
        };
      });
    }
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options?.map(String) ?? [];
      const discriminator = (issue as { discriminator?: string }).discriminator;
      if (discriminator) {
        const value = valueAt(raw, path);
        const suggestion = typeof value === 'string' ? closest(value, options) : undefined;
        return [{
          ...base,
          code: 'schema/unknown-provider',
          message: value === undefined ? `missing '${discriminator}'` : `unknown ${discriminator}`,
          allowed: `one of ${listOf(options)}`,
          fix: suggestion ? `did you mean '${suggestion}'?` : `set ${discriminator} to one of ${listOf(options)}`,
        }];
      }
      return [{ ...base, code: 'schema/invalid', message: issue.message, allowed: described ?? 'see the plan reference', fix: 'correct the value' }];
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      const suggestion = typeof received === 'string' ? closest(received, values) : undefined;
      return [{
        ...base,
        code: 'schema/not-allowed',
        message: `'${field}' is not one of the allowed values`,
        allowed: `one of ${listOf(issue.values as (string | number)[])}`,
        fix: suggestion ? `did you mean '${suggestion}'?` : `use one of ${listOf(issue.values as (string | number)[])}`,
      }];
    }
    case 'invalid_type': {
      if (received === undefined) {
        return [{
          ...base,
          code: 'schema/missing-field',
          message: `missing required field '${field}'`,
          allowed: described ?? `a ${issue.expected}`,
          fix: `add '${field}'${/limits/.test(path.join('.')) ? ', e.g. the per-minute quota you were granted' : ''}`,
        }];
      }
      const isInteger = issue.expected === 'int' || (issue.expected === 'number' && /per minute/.test(described ?? ''));
      return [{
        ...base,
        code: 'schema/wrong-type',
        message: `'${field}' must be ${article(issue.expected)}`,
        allowed: described ?? `${article(issue.expected)}`,
        fix: isInteger ? `write a whole number without quotes or units, e.g. ${field}: 30000` : `write ${article(issue.expected)}`,
      }];
    }
    case 'too_small':
    case 'too_big': {
      const bound = `${issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<'} ${String(issue.code === 'too_small' ? issue.minimum : issue.maximum)}`;
      const kind = issue.origin === 'array' ? 'items' : issue.origin === 'string' ? 'characters' : '';
      return [{
        ...base,
        code: issue.code === 'too_small' ? 'schema/too-small' : 'schema/too-big',
        message: `'${field}' is out of range`,
        allowed: `${described ? `${described}; ` : ''}${bound}${kind ? ` ${kind}` : ''}`,
        fix: issue.origin === 'array' ? `list at least ${String(issue.code === 'too_small' ? issue.minimum : 0)} item(s)` : `use a value ${bound}`,
      }];
    }
    default:
      return [{
        ...base,
        code: 'schema/invalid',
        message: issue.message,
        allowed: described ?? 'see packages/plan/README.md',
        fix: `correct '${field}'`,
      }];
  }
}

function article(type: string): string {
  const name = type === 'int' ? 'whole number' : type === 'record' ? 'map' : type === 'array' ? 'list' : type;
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}
