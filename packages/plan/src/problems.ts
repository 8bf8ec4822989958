/** A field path inside the plan, e.g. ['families', 'gpt', 'targets', 'azure-eastus2', 'limits', 'tpm']. */
export type FieldPath = readonly (string | number)[];

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One thing wrong (error) or worth knowing (warning) about a plan. */
export interface PlanProblem {
  readonly severity: 'error' | 'warning';
  /** Stable id, e.g. `azure/tpm-not-whole-units`; warnings can be acknowledged by it. */
  readonly code: string;
  readonly path: FieldPath;
  readonly message: string;
  /** The value received, rendered for people. */
  readonly received: string;
  readonly allowed: string;
  readonly fix: string;
  /** Where to point in the file when it differs from `path` (e.g. a missing block). */
  readonly at?: FieldPath;
  readonly location?: SourceLocation;
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** `families.gpt.targets["eu.west"].limits.tpm` */
export function formatPath(path: FieldPath): string {
  if (path.length === 0) return '(plan)';
  return path
    .map((part, i) => {
      if (typeof part === 'number') return `[${part}]`;
      if (IDENTIFIER.test(part)) return i === 0 ? part : `.${part}`;
      return `[${JSON.stringify(part)}]`;
    })
    .join('');
}

/** Render any value briefly: the user sees what they wrote, not a dump. */
export function renderValue(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) {
    const text = JSON.stringify(value);
    return text.length <= 80 ? text : `a list of ${value.length} items`;
  }
  if (typeof value === 'object') {
    const keys = Object.keys(value as object);
    return keys.length === 0 ? 'an empty map {}' : `a map with keys ${keys.join(', ')}`;
  }
  const text = JSON.stringify(value);
  return text.length <= 80 ? text : `${text.slice(0, 77)}...`;
}

export function formatProblem(problem: PlanProblem): string {
  const where = problem.location ? `${problem.location.file}:${problem.location.line}:${problem.location.column}: ` : '';
  return [
    `${where}${problem.severity} ${formatPath(problem.path)}: ${problem.message} [${problem.code}]`,
    `  received: ${problem.received}`,
    `  allowed:  ${problem.allowed}`,
    `  fix:      ${problem.fix}`,
  ].join('\n');
}

export function formatProblems(problems: readonly PlanProblem[]): string {
  const errors = problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - errors;
  const summary = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  return [...problems.map(formatProblem), summary].join('\n\n');
}

/** Problems sorted by file position, then path, so output is stable. */
export function sortProblems(problems: readonly PlanProblem[]): PlanProblem[] {
  return [...problems].sort(
    (a, b) =>
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      (a.location?.column ?? 0) - (b.location?.column ?? 0) ||
      formatPath(a.path).localeCompare(formatPath(b.path)) ||
      a.code.localeCompare(b.code),
  );
}

/** Thrown when a plan cannot be used; carries every problem, not just the first. */
export class PlanValidationError extends Error {
  override readonly name = 'PlanValidationError';
  constructor(
    readonly problems: readonly PlanProblem[],
    readonly file?: string,
  ) {
    super(`${file ?? 'plan'} is not a valid Headroom plan:\n\n${formatProblems(problems)}`);
  }

  get errors(): PlanProblem[] {
    return this.problems.filter((p) => p.severity === 'error');
  }
}

/** Edit distance, for "did you mean" suggestions. */
export function closest(input: string, options: readonly string[], maxDistance = 3): string | undefined {
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  for (const option of options) {
    const d = levenshtein(input.toLowerCase(), option.toLowerCase());
    if (d < bestDistance) {
      best = option;
      bestDistance = d;
    }
  }
  return best;
}

/** Every option at the smallest edit distance within `maxDistance`, in the given order: a tie is ambiguous, so show all. */
export function closestAll(input: string, options: readonly string[], maxDistance = 3): string[] {
  const scored = options.map((option) => ({ option, distance: levenshtein(input.toLowerCase(), option.toLowerCase()) }));
  const best = Math.min(...scored.map((s) => s.distance));
  return best > maxDistance ? [] : scored.filter((s) => s.distance === best).map((s) => s.option);
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

export function listOf(values: readonly (string | number)[]): string {
  return values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ');
}
