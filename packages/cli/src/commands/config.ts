import { compileRouterConfig } from '@headroom/plan';
import type { Command } from 'commander';
import type { Io } from '../io';
import { loadOrFail, resolvePlanFile } from '../plan-file';

export function registerConfig(program: Command, io: Io): void {
  program
    .command('config')
    .description('Print the RouterConfig JSON compiled from the plan (what the router Lambda embeds).')
    .argument('[file]', 'plan file (default: headroom.yaml, then infra/headroom.yaml)')
    .action((fileArg: string | undefined) => {
      const { plan } = loadOrFail(resolvePlanFile(fileArg), io);
      io.stdout(`${JSON.stringify(compileRouterConfig(plan), null, 2)}\n`);
    });
}
