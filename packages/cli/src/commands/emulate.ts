import {
  describeTargets, FaultsFileError, InvalidTimeScaleError, loadFaultsFile, NonLoopbackHostError, startEmulator, UnknownFaultTargetError,
} from '@headroom/emulator';
import { targetsOf } from '@headroom/plan';
import type { Command } from 'commander';
import { listenFailure, UserError } from '../errors';
import type { Io } from '../io';
import { loadOrFail, resolvePlanFile } from '../plan-file';
import { parseNumberOption } from './formats';

/** Emulator setup errors are user mistakes: print them without a stack. */
const USER_ERRORS = [FaultsFileError, InvalidTimeScaleError, NonLoopbackHostError, UnknownFaultTargetError];

export function registerEmulate(program: Command, io: Io): void {
  program
    .command('emulate')
    .description("Serve every target of a plan on loopback with its provider's wire format, enforcing the declared quotas.")
    .argument('[file]', 'plan file (default: headroom.yaml, then infra/headroom.yaml)')
    .option('--port <n>', 'admin port; targets take the following ports in sorted key order (0: ephemeral)', '0')
    .option('--time-scale <x>', 'emulated seconds per real second, e.g. 60 makes a quota minute pass in one second', '1')
    .option('--faults <file>', 'JSON file of scripted faults per target')
    .option('--seed <n>', 'seed for generated text', '0')
    .option('--host <host>', 'loopback address to bind', '127.0.0.1')
    .action(async (fileArg: string | undefined, options: { port: string; timeScale: string; faults?: string; seed: string; host: string }) => {
      const { plan } = loadOrFail(resolvePlanFile(fileArg), io);
      const basePort = parseNumberOption(options.port, '--port', (n) => Number.isInteger(n) && n >= 0 && n < 65536, 'a port number from 0 to 65535');
      const timeScale = parseNumberOption(options.timeScale, '--time-scale', (n) => n > 0, 'a number above 0, e.g. 60');
      const seed = parseNumberOption(options.seed, '--seed', Number.isInteger, 'a whole number');
      try {
        const faults = options.faults ? loadFaultsFile(options.faults) : undefined;
        const emulator = await startEmulator({ plan, basePort, timeScale, seed, host: options.host, ...(faults ? { faults } : {}) });
        io.stdout(`Emulating ${Object.keys(emulator.targets).length} targets of ${plan.name} (time scale ${timeScale}x). Ctrl-C stops.\n\n${describeTargets(emulator)}\n`);
        await new Promise<void>((resolve) => {
          const stop = () => void emulator.close().then(resolve);
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      } catch (error) {
        if (USER_ERRORS.some((type) => error instanceof type)) throw new UserError((error as Error).message);
        const targetCount = targetsOf(plan).length;
        throw listenFailure(error, `the admin port, and the ${targetCount} targets take the ${targetCount} ports after it`) ?? error;
      }
    });
}
