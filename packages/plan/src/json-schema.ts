import { z } from 'zod';
import { planSchema } from './schema';

/** JSON Schema for editors (yaml-language-server), generated from the same zod schema the loader uses. */
export function planJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(planSchema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }),
    $id: 'https://headroom.dev/schema/headroom.schema.json',
    title: 'Headroom quota plan',
    description: 'One reviewed file that Headroom compiles into capacity, a router config, dashboards and alarms.',
  };
}
