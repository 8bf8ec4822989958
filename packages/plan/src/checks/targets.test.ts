import { stringify } from 'yaml';
import { AZURE_MODELS, BEDROCK_MODELS, DIRECT_MODELS, VERTEX_MODELS } from '../catalog';
import { parsePlan } from '../load';
import { formatPath, type PlanProblem } from '../problems';
import { examplePlanInput } from '../testing';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Mutable = any;

function unknownModelWarning(family: string, target: string, model: string): PlanProblem {
  const plan = examplePlanInput() as Mutable;
  plan.families[family].targets[target].model = model;
  const result = parsePlan(stringify(plan), 'headroom.yaml');
  const problems = result.ok ? result.warnings : result.problems;
  const path = `families.${family}.targets.${target}.model`;
  const warning = problems.find((p) => p.code === 'catalog/unknown-model' && formatPath(p.path) === path);
  if (!warning) throw new Error(`no catalog/unknown-model at ${path}; got ${problems.map((p) => p.code).join(', ')}`);
  return warning;
}

describe('a model id one edit away from a catalog model', () => {
  // [family, target, the catalog id, a one-edit misspelling of it, the catalog it must be in]
  const cases: [string, string, string, string, readonly string[]][] = [
    ['claude', 'bedrock-us-east-1', 'anthropic.claude-sonnet-4-6', 'anthropic.claude-sonet-4-6', Object.keys(BEDROCK_MODELS)],
    ['claude', 'vertex-europe-west1', 'claude-sonnet-4-6', 'claude-sonnet-46', Object.keys(VERTEX_MODELS)],
    ['claude', 'anthropic', 'claude-sonnet-4-6', 'claude-sonnett-4-6', DIRECT_MODELS.anthropic.models],
    ['gpt', 'openai', 'gpt-5.1', 'gpt-5,1', DIRECT_MODELS.openai.models],
    ['gpt', 'azure-eastus2', 'gpt-5.1', 'gpt5.1', Object.keys(AZURE_MODELS)],
  ];

  it.each(cases)('%s/%s: suggests %s for %s', (family, target, catalogId, typo, catalog) => {
    expect(catalog).toContain(catalogId);
    const warning = unknownModelWarning(family, target, typo);
    expect(warning.severity).toBe('warning');
    expect(warning.received).toBe(JSON.stringify(typo));
    expect(warning.fix).toMatch(new RegExp(`^did you mean '${catalogId.replace(/[.]/g, '\\.')}'\\?`));
  });

  it('offers every equally near catalog model when the typo is ambiguous', () => {
    // 'gpt-5.l' is one substitution from both.
    expect(DIRECT_MODELS.openai.models).toEqual(expect.arrayContaining(['gpt-5.1', 'gpt-5.5']));
    const { fix } = unknownModelWarning('gpt', 'openai', 'gpt-5.l');
    expect(fix).toMatch(/^did you mean '.+'( or '.+')+\?/);
    expect(fix).toContain("'gpt-5.1'");
    expect(fix).toContain("'gpt-5.5'");
  });

  it('suggests nothing for an id far from every catalog model, and keeps the generic advice', () => {
    const warning = unknownModelWarning('claude', 'bedrock-us-east-1', 'amazon.titan-text-premier-v1:0');
    expect(warning.fix).not.toContain('did you mean');
    expect(warning.fix).toContain('newer than the catalog');
  });
});
