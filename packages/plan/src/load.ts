import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { checkFamilies } from './checks/families';
import { checkPlanLevel } from './checks/plan-level';
import { checkQuotas } from './checks/quotas';
import { ProblemList } from './checks/problem';
import { checkTargets } from './checks/targets';
import { draftOf } from './draft';
import { PlanValidationError, sortProblems, type FieldPath, type PlanProblem, type SourceLocation } from './problems';
import { planSchema } from './schema';
import { problemsFromSchema } from './schema-issues';
import type { Plan } from './types';

export type PlanResult =
  | { readonly ok: true; readonly plan: Plan; readonly warnings: readonly PlanProblem[]; readonly file?: string }
  | { readonly ok: false; readonly problems: readonly PlanProblem[]; readonly file?: string };

/** Validate a plain object (the `definePlan` path, or parsed YAML): schema first, then every semantic check. */
export function validatePlan(raw: unknown): { plan?: Plan; problems: PlanProblem[] } {
  const problems = problemsFromSchema(raw);
  const list = new ProblemList();
  const draft = draftOf(raw);
  checkPlanLevel(draft, list);
  checkFamilies(draft, list);
  checkTargets(draft, list);
  checkQuotas(draft, list);
  problems.push(...list.items);
  const hasErrors = problems.some((p) => p.severity === 'error');
  if (hasErrors) return { problems };
  const { $schema: _ignored, ...plan } = planSchema.parse(raw);
  return { plan: plan as Plan, problems };
}

/** Parse plan YAML; every problem carries file:line:column. Never throws for a user mistake. */
export function parsePlan(text: string, file = 'headroom.yaml'): PlanResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true });
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  if (doc.errors.length > 0) {
    return { ok: false, file, problems: doc.errors.map((e) => yamlProblem(doc, e.code, e.message, e.pos[0], at, text)) };
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      ok: false, file,
      problems: [{
        severity: 'error', code: 'yaml/not-a-map', path: [], message: 'a plan is a YAML map at the top level', received: raw === null || raw === undefined ? 'an empty file' : typeof raw,
        allowed: 'a map starting with version: 1', fix: 'start from infra/headroom.yaml', location: { file, line: 1, column: 1 },
      }],
    };
  }
  const { plan, problems } = validatePlan(raw);
  const located = sortProblems(problems.map((p) => ({ ...p, location: locate(doc, p.at ?? p.path, p.code === 'schema/unknown-field', at) })));
  if (!plan) return { ok: false, file, problems: located };
  return { ok: true, file, plan, warnings: located };
}

export function loadPlanFile(path: string): PlanResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { ok: false, file: path, problems: [unreadableFile(path, (error as NodeJS.ErrnoException).code ?? 'unknown')] };
  }
  return parsePlan(text, path);
}

/** The conventional plan file name inside a directory. */
export const PLAN_FILE_NAME = 'headroom.yaml';

function unreadableFile(path: string, code: string): PlanProblem {
  const location = { file: path, line: 1, column: 1 };
  if (code === 'EISDIR') {
    const inside = join(path, PLAN_FILE_NAME);
    return {
      severity: 'error', code: 'file/is-directory', path: [], message: 'the plan path is a directory, not a file', received: path,
      allowed: 'a YAML plan file',
      fix: existsSync(inside) ? `pass the file inside it: ${inside}` : `pass the plan file itself, e.g. ${inside}`,
      location,
    };
  }
  const fixes: Record<string, string> = {
    ENOENT: 'check the path, or run from the directory holding headroom.yaml',
    EACCES: 'check the file permissions',
    EPERM: 'check the file permissions',
  };
  return {
    severity: 'error', code: 'file/unreadable', path: [], message: `cannot read the plan file (${code})`, received: path,
    allowed: 'a readable YAML file', fix: fixes[code] ?? `check that ${path} is a readable file`, location,
  };
}

/** Load a plan or throw a `PlanValidationError` listing every problem. */
export function loadPlanFileOrThrow(path: string): { plan: Plan; warnings: readonly PlanProblem[] } {
  const result = loadPlanFile(path);
  if (!result.ok) throw new PlanValidationError(result.problems, path);
  return result;
}

function yamlProblem(doc: Document, code: string, message: string, offset: number, at: (o: number) => SourceLocation, text: string): PlanProblem {
  const location = at(offset);
  if (code === 'DUPLICATE_KEY') {
    const key = /^[^:\n]*/.exec(text.slice(offset))?.[0].trim().replace(/^["']|["']$/g, '') ?? '';
    return {
      severity: 'error', code: 'yaml/duplicate-key', path: pathAtOffset(doc, offset) ?? [key], message: `duplicate key '${key}'`,
      received: `'${key}' a second time in the same map`, allowed: 'each key once per map', fix: 'merge the two entries or rename one', location,
    };
  }
  return {
    severity: 'error', code: `yaml/${code.toLowerCase().replace(/_/g, '-')}`, path: pathAtOffset(doc, offset) ?? [],
    message: `YAML syntax: ${message.split('\n')[0]}`, received: JSON.stringify(text.split('\n')[location.line - 1]?.trim() ?? ''),
    allowed: 'valid YAML 1.2', fix: 'check indentation, colons and quotes on this line', location,
  };
}

/** The path of the deepest map key whose range holds this offset. */
function pathAtOffset(doc: Document, offset: number): FieldPath | undefined {
  let found: FieldPath | undefined;
  const walk = (node: unknown, path: FieldPath) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        const range = (pair.key as Node | null)?.range;
        if (key === undefined || !range) continue;
        if (offset >= range[0] && offset <= range[2]) found = [...path, key];
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    }
  };
  walk(doc.contents, []);
  return found;
}

/** Point at the value at `path`, or at the nearest existing ancestor's key when the field is missing. */
function locate(doc: Document, path: FieldPath, preferKey: boolean, at: (o: number) => SourceLocation): SourceLocation {
  for (let n = path.length; n > 0; n--) {
    const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
    const part = path[n - 1]!;
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) continue;
      // Point at a scalar value; at the key for a missing field or a whole map or list.
      const pointAtValue = n === path.length && !preferKey && !isMap(pair.value) && !isSeq(pair.value);
      const node = (pointAtValue ? pair.value : pair.key) as Node | null;
      const range = node?.range ?? (pair.key as Node | null)?.range;
      if (range) return at(range[0]);
    } else if (isSeq(parent) && typeof part === 'number') {
      const item = parent.items[part] as Node | undefined;
      if (item?.range) return at(item.range[0]);
    }
  }
  return at((doc.contents as Node | null)?.range?.[0] ?? 0);
}
