import { Command, CommanderError } from 'commander';
import { registerConfig } from './commands/config';
import { registerDemo } from './commands/demo';
import { registerDiff } from './commands/diff';
import { registerEmulate } from './commands/emulate';
import { registerPlan } from './commands/plan';
import { registerServe } from './commands/serve';
import { registerValidate } from './commands/validate';
import { UserError } from './errors';
import { processIo, type Io } from './io';

export function buildProgram(io: Io): Command {
  const program = new Command('headroom')
    .description('Compile one reviewed LLM quota plan (headroom.yaml) into capacity, a router and per-region monitoring.')
    .version(require('../package.json').version as string)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  registerValidate(program, io);
  registerPlan(program, io);
  registerDiff(program, io);
  registerConfig(program, io);
  registerEmulate(program, io);
  registerServe(program, io);
  registerDemo(program, io);
  return program;
}

/** Run the CLI; user mistakes print a message and a hint, never a stack trace. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<void> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      io.exitCode(error.exitCode);
      return;
    }
    if (error instanceof UserError) {
      io.stderr(`headroom: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`);
      io.exitCode(error.exitCode);
      return;
    }
    io.stderr(`headroom: internal error: ${(error as Error).message}\n${process.env.HEADROOM_DEBUG ? `${(error as Error).stack}\n` : 'set HEADROOM_DEBUG=1 for details, and please report it\n'}`);
    io.exitCode(70);
  }
}
