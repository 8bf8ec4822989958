import { capacityOf } from '@headroom/plan';
import type { Command } from 'commander';
import type { Io } from '../io';
import { loadOrFail, resolvePlanFile } from '../plan-file';
import { renderCapacity } from '../render/capacity';
import { parseFormat } from './formats';
import { simulateFamilies } from '../simulate';

export function registerPlan(program: Command, io: Io): void {
  program
    .command('plan')
    .description('Print the capacity table per family and target: totals, multiplier against the best target, and the 2.7x planning rule (90% of the pool).')
    .argument('[file]', 'plan file (default: headroom.yaml, then infra/headroom.yaml)')
    .option('--format <format>', 'text, markdown or json', 'text')
    .option('--simulate', 'predict each family\'s effective multiplier with the simulator running the real router core, and its share of the pool beside the rule\'s 90% (a few seconds per family)')
    .action(async (fileArg: string | undefined, options: { format: string; simulate?: boolean }) => {
      const format = parseFormat(options.format, ['text', 'markdown', 'json']);
      const file = resolvePlanFile(fileArg);
      const { plan } = loadOrFail(file, io);
      const simulations = options.simulate ? await simulateFamilies(plan) : undefined;
      io.stdout(`${renderCapacity(plan, capacityOf(plan), format, file, simulations)}\n`);
    });
}
