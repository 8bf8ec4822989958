import { diffPlans, formatProblems, parsePlan, type Plan, type PlanDiff } from '@headroom/plan';
import { simulatePlanMultiplier } from '@headroom/simulator';
import type { Command } from 'commander';
import { UserError } from '../errors';
import { readAtRef } from '../git';
import type { Io } from '../io';
import { loadOrFail, resolvePlanFile } from '../plan-file';
import { renderDiffMarkdown, type SimulatedDelta } from '../render/diff';
import { parseFormat } from './formats';

/** Exit code when `--fail-on risk` is set and the diff carries a risk. */
export const EXIT_RISK = 2;

export function registerDiff(program: Command, io: Io): void {
  program
    .command('diff')
    .description('Compare the plan with its version at a git ref and render a PR comment (Markdown) or JSON.')
    .argument('[file]', 'plan file (default: headroom.yaml, then infra/headroom.yaml)')
    .requiredOption('--base <ref>', 'git ref of the base version, e.g. origin/main')
    .option('--format <format>', 'markdown or json', 'markdown')
    .option('--fail-on <what>', "'risk': exit 2 when the change carries a risk")
    .option('--simulate', 'predict each changed family\'s effective multiplier before and after with the simulator')
    .action(async (fileArg: string | undefined, options: { base: string; format: string; failOn?: string; simulate?: boolean }) => {
      const format = parseFormat(options.format, ['markdown', 'json']);
      if (options.failOn !== undefined && options.failOn !== 'risk') throw new UserError(`unknown --fail-on '${options.failOn}'`, "the only value is 'risk'");
      const file = resolvePlanFile(fileArg);
      const { plan: head } = loadOrFail(file, io);
      // Throws a UserError naming what is missing: git, the repository or the ref.
      const baseText = readAtRef(file, options.base);
      let base: Plan | undefined;
      if (baseText !== undefined) {
        const parsed = parsePlan(baseText, `${options.base}:${file}`);
        if (!parsed.ok) throw new UserError(`the base plan at ${options.base} is not valid, so there is nothing sound to compare with:\n\n${formatProblems(parsed.problems)}`, 'fix the base branch first, or compare with an older ref');
        base = parsed.plan;
      }
      const diff = diffPlans(base, head);
      const simulated = options.simulate ? await simulateChanged(diff, base, head) : undefined;
      io.stdout(format === 'json'
        ? `${JSON.stringify({ file, base: options.base, baseExists: base !== undefined, ...diff, ...(simulated ? { simulated } : {}) }, null, 2)}\n`
        : `${renderDiffMarkdown(diff, { file, base: base ? options.base : `${options.base} (no plan there yet)` }, simulated)}\n`);
      if (options.failOn === 'risk' && diff.risks.length > 0) io.exitCode(EXIT_RISK);
    });
}

/** Simulate only the families the change touches, on both sides. */
async function simulateChanged(diff: PlanDiff, base: Plan | undefined, head: Plan): Promise<SimulatedDelta> {
  const touched = diff.families.filter((f) => f.fields.length > 0 || diff.targets.some((t) => t.familyId === f.familyId));
  const out: Record<string, { before?: Awaited<ReturnType<typeof simulatePlanMultiplier>>; after?: Awaited<ReturnType<typeof simulatePlanMultiplier>> }> = {};
  for (const { familyId } of touched) {
    out[familyId] = {
      ...(base?.families[familyId] ? { before: await simulatePlanMultiplier(base, { family: familyId }) } : {}),
      ...(head.families[familyId] ? { after: await simulatePlanMultiplier(head, { family: familyId }) } : {}),
    };
  }
  return out;
}
