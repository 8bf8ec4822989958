import { formatProblems, loadPlanFile } from '@headroom/plan';
import type { Command } from 'commander';
import type { Io } from '../io';
import { resolvePlanFile } from '../plan-file';
import { parseFormat } from './formats';

export function registerValidate(program: Command, io: Io): void {
  program
    .command('validate')
    .description('Check a plan and list every problem with file:line:column. Exit 0 when valid, 1 otherwise.')
    .argument('[file]', 'plan file (default: headroom.yaml, then infra/headroom.yaml)')
    .option('--format <format>', 'text or json', 'text')
    .action((fileArg: string | undefined, options: { format: string }) => {
      const format = parseFormat(options.format, ['text', 'json']);
      const file = resolvePlanFile(fileArg);
      const result = loadPlanFile(file);
      const problems = result.ok ? result.warnings : result.problems;
      if (format === 'json') {
        io.stdout(`${JSON.stringify({ file, valid: result.ok, problems }, null, 2)}\n`);
      } else if (result.ok) {
        io.stdout(`${file}: valid (${Object.keys(result.plan.families).length} families)\n`);
        if (problems.length > 0) io.stdout(`\n${formatProblems(problems)}\n`);
      } else {
        io.stderr(`${formatProblems(problems)}\n`);
      }
      io.exitCode(result.ok ? 0 : 1);
    });
}
