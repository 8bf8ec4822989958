import { planJsonSchema } from './json-schema';

process.stdout.write(`${JSON.stringify(planJsonSchema(), null, 2)}\n`);
