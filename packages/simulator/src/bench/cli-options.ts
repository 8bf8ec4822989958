/** The benchmark's command line (`node packages/simulator/dist/bench/main.js --help`), parsed by node's util.parseArgs. */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

export interface BenchOptions {
  readonly mode: 'quick' | 'full';
  readonly seeds: number;
  readonly jobs: number;
  /** Scenario ids to run; empty = the mode's default set. */
  readonly scenarios: readonly string[];
  /** Strategy ids to run; empty = all. */
  readonly strategies: readonly string[];
  readonly real: boolean;
  readonly publish: boolean;
  /** Directory for <mode>.json, <mode>.md and multiplier-<mode>.svg (relative to the repository root). */
  readonly out: string;
  /** The arguments as given, to print the command that reproduces the run. */
  readonly argv: readonly string[];
}

export type ParsedCommand =
  | { readonly kind: 'run'; readonly options: BenchOptions }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };

export const DEFAULT_SEEDS = { full: 8, quick: 2 } as const;
export const DEFAULT_OUT = 'test/benchmark/results';

export const HELP = `Usage: npm run bench -- [options]
       node packages/simulator/dist/bench/main.js [options]

Measures every (scenario, strategy) over several seeds in virtual time, the fixed-load curves,
the real-process comparison and the router's own numbers. Exits non-zero only on errors, never
on a missed target.

Options:
  --quick              the bounded CI smoke run (npm run bench:quick): 2 seeds, shorter virtual
                       runs, one scenario per group, short real processes; writes no root file
  --seeds N            seeds per (scenario, strategy), 1..N (default 8; 2 with --quick)
  --jobs N             worker threads running (scenario, seed) units (default: number of CPUs)
  --scenarios a,b      only these scenario ids
  --strategies a,b     only these strategy ids (add oracle for efficiency, a peer for p-values)
  --no-real            skip the real-process comparison
  --publish            also write BENCHMARKS.json at the repository root and re-render the
                       generated region of BENCHMARKS.md (never with --quick)
  --out DIR            where <mode>.json, <mode>.md and multiplier-<mode>.svg go
                       (default ${DEFAULT_OUT})
  -h, --help           print this help and do nothing else
`;

function positiveInteger(name: string, text: string | undefined, fallback: number): number | string {
  if (text === undefined) return fallback;
  if (!/^[1-9]\d*$/.test(text)) return `--${name} needs a positive integer, got '${text}'`;
  return Number(text);
}

function list(text: string | undefined): string[] {
  return (text ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Parse the benchmark's arguments (without `node main.js`). Unknown options are errors, not ignored. */
export function parseBenchArgs(argv: readonly string[], cpus: number = availableParallelism()): ParsedCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        quick: { type: 'boolean' },
        seeds: { type: 'string' },
        jobs: { type: 'string' },
        scenarios: { type: 'string' },
        strategies: { type: 'string' },
        'no-real': { type: 'boolean' },
        publish: { type: 'boolean' },
        out: { type: 'string' },
      },
    }));
  } catch (error) {
    return { kind: 'error', message: (error as Error).message };
  }
  if (values.help) return { kind: 'help' };
  const mode = values.quick ? 'quick' : 'full';
  if (values.quick && values.publish) return { kind: 'error', message: '--publish cannot be combined with --quick: the smoke run never writes the root BENCHMARKS files' };
  const seeds = positiveInteger('seeds', values.seeds, DEFAULT_SEEDS[mode]);
  if (typeof seeds === 'string') return { kind: 'error', message: seeds };
  const jobs = positiveInteger('jobs', values.jobs, Math.max(1, cpus));
  if (typeof jobs === 'string') return { kind: 'error', message: jobs };
  if (values.out !== undefined && values.out.trim() === '') return { kind: 'error', message: '--out needs a directory' };
  return {
    kind: 'run',
    options: {
      mode, seeds, jobs,
      scenarios: list(values.scenarios),
      strategies: list(values.strategies),
      real: !values['no-real'],
      publish: Boolean(values.publish),
      out: values.out ?? DEFAULT_OUT,
      argv: [...argv],
    },
  };
}

/** The npm command that reproduces a run of these options, optionally narrowed to some scenarios. */
export function reproduceCommand(options: Pick<BenchOptions, 'mode' | 'seeds' | 'strategies' | 'real'>, scenarios: readonly string[] = [], publish = false): string {
  if (options.mode === 'quick') return 'npm run bench:quick';
  const args: string[] = [];
  if (publish) args.push('--publish');
  if (options.seeds !== DEFAULT_SEEDS.full) args.push('--seeds', String(options.seeds));
  if (scenarios.length > 0) args.push('--scenarios', scenarios.join(','));
  if (options.strategies.length > 0) args.push('--strategies', options.strategies.join(','));
  if (!options.real || scenarios.length > 0) args.push('--no-real');
  return args.length > 0 ? `npm run bench -- ${args.join(' ')}` : 'npm run bench';
}
