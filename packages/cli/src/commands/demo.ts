import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { runDemo, renderSummary } from '../demo/run';
import { UserError } from '../errors';
import type { Io } from '../io';
import { loadOrFail } from '../plan-file';
import { parseNumberOption } from './formats';

/** The example plan shipped with the repository: the demo's embedded default. */
export const EXAMPLE_PLAN = resolve(__dirname, '../../../../infra/headroom.yaml');

/** The shell's convention for a run stopped by Ctrl-C (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

const positive = (value: string, flag: string) => parseNumberOption(value, flag, (n) => n > 0, 'a number above 0');

export function registerDemo(program: Command, io: Io): void {
  program
    .command('demo')
    .description('The local demo, no cloud account: emulated regions for the plan on a compressed clock, the router, chatbot traffic above one region\'s quota, a live view per target and a summary.')
    .argument('[file]', 'plan file', EXAMPLE_PLAN)
    .option('--minutes <n>', 'emulated minutes of traffic', '40')
    .option('--time-scale <x>', 'emulated seconds per real second', '60')
    .option('--load <x>', 'offered load per family, as a multiple of its best single target (capped at 90% of the pool)', '2.6')
    .option('--seed <n>', 'seed for traffic and routing', '1')
    .option('--virtual-time', 'drive the emulated clock by hand instead: as fast as the machine allows, the same numbers on any machine')
    .action(async (file: string, options: { minutes: string; timeScale: string; load: string; seed: string; virtualTime?: boolean }) => {
      if (!existsSync(file)) throw new UserError(`the demo plan ${file} is missing`, 'run the demo from a checkout of the repository, or pass a plan file');
      const { plan } = loadOrFail(file, io);
      const stop = new AbortController();
      // Ctrl-C stops the traffic and prints the summary of what was offered so far.
      const onInterrupt = () => stop.abort();
      process.once('SIGINT', onInterrupt);
      try {
        const summary = await runDemo({
          plan,
          minutes: positive(options.minutes, '--minutes'),
          timeScale: positive(options.timeScale, '--time-scale'),
          load: positive(options.load, '--load'),
          seed: Math.floor(positive(options.seed, '--seed')),
          clock: options.virtualTime ? 'virtual' : 'real',
          live: process.stdout.isTTY === true,
          write: io.stdout,
          signal: stop.signal,
        });
        io.stdout(`${renderSummary(summary)}\n`);
        if (summary.interrupted) io.exitCode(EXIT_INTERRUPTED);
      } finally {
        process.off('SIGINT', onInterrupt);
      }
    });
}
