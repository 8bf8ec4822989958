import { capacityOf } from '@headroom/plan';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../errors';
import type { Io } from '../io';
import { loadOrFail } from '../plan-file';
import { renderCapacity } from '../render/capacity';

/** The example plan shipped with the repository: the demo's embedded default. */
export const EXAMPLE_PLAN = resolve(__dirname, '../../../../infra/headroom.yaml');

export function registerDemo(program: Command, io: Io): void {
  program
    .command('demo')
    .description('Run the local demo on the embedded example plan (infra/headroom.yaml), with no cloud account.')
    .argument('[file]', 'plan file', EXAMPLE_PLAN)
    .action((file: string) => {
      if (!existsSync(file)) throw new UserError(`the demo plan ${file} is missing`, 'run the demo from a checkout of the repository');
      const { plan } = loadOrFail(file, io);
      io.stdout(`${renderCapacity(plan, capacityOf(plan), 'text', file)}\n`);
    });
}
