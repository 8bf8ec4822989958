import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { planJsonSchema } from './json-schema';

describe('the shipped JSON Schema', () => {
  it('is up to date with the zod schema (regenerate with `npm run schema`)', () => {
    const shipped = JSON.parse(readFileSync(resolve(__dirname, '../headroom.schema.json'), 'utf8'));
    expect(shipped).toEqual(planJsonSchema());
  });

  it('describes provider-specific targets and rejects unknown fields', () => {
    const schema = planJsonSchema() as { properties: { families: { additionalProperties: { properties: { targets: { additionalProperties: { oneOf?: unknown[]; anyOf?: unknown[] } } } } } }; additionalProperties: boolean };
    const target = schema.properties.families.additionalProperties.properties.targets.additionalProperties;
    expect((target.oneOf ?? target.anyOf)!.length).toBe(5);
    expect(schema.additionalProperties).toBe(false);
  });
});
