import { residencyOf, servesPin } from '../catalog';
import type { PlanDraft } from '../draft';
import {
  alarmName, azureAccountName, azureDeploymentName, checkName, NAME_RULES, routerRoleName, stateTableName,
  vertexQuotaPreferenceId, workloadIdentityPoolId, type NameRule,
} from '../naming';
import { listOf } from '../problems';
import type { Api, Provider } from '../types';
import type { ProblemList } from './problem';
import { targetsOfDraft } from './targets';

const PROVIDERS_BY_API: Record<Api, readonly Provider[]> = {
  anthropic: ['anthropic', 'bedrock', 'vertex'],
  openai: ['azure-openai', 'openai'],
};

export function checkFamilies(draft: PlanDraft, problems: ProblemList): void {
  if (draft.familiesEmpty) {
    problems.error('plan/no-families', ['families'], 'a plan needs at least one family; with none there is nothing to route or provision', {
      value: {}, allowed: 'a map of family id to { api, aliases, targets }, with at least one family',
      fix: 'add a family, e.g. chatbot: { api: anthropic, aliases: [claude-haiku-4-5], targets: { ... } } (see infra/headroom.yaml)',
    });
  }
  for (const familyId of Object.keys(draft.families).sort()) {
    const family = draft.families[familyId]!;
    const path = ['families', familyId];
    checkKey(familyId, path, 'family', problems);
    if (family.targetIds.length === 0) {
      problems.error('family/no-targets', [...path, 'targets'], 'a family needs at least one target', {
        value: {}, allowed: 'a map of target id to target', fix: 'add a target, or remove the family',
      });
    }
    for (const targetId of family.targetIds) checkKey(targetId, [...path, 'targets', targetId], 'target', problems);
    for (const [targetId, target] of Object.entries(family.targets)) {
      if (family.api && !PROVIDERS_BY_API[family.api].includes(target.provider)) {
        problems.error('family/provider-api-mismatch', [...path, 'targets', targetId, 'provider'], `a ${target.provider} target cannot serve the ${family.api} front door`, {
          value: target.provider, allowed: `for api '${family.api}': ${listOf(PROVIDERS_BY_API[family.api])}`,
          fix: 'move the target to a family with the matching api',
        });
      }
    }
    family.pins.forEach((pin, index) => {
      const serving = Object.keys(family.targets).filter((id) => servesPin(residencyOf(family.targets[id]!), pin));
      if (serving.length === 0) {
        problems.error('residency/pin-unserved', [...path, 'pins', index], `no target of '${familyId}' processes in '${pin}'`, {
          value: pin, allowed: 'a pin served by at least one target', fix: `add a target whose processing stays in ${pin}, or remove the pin`,
        });
      } else if (serving.length === 1) {
        problems.warn('residency/single-target', [...path, 'pins', index], `'${pin}'-pinned traffic has a single target (${serving[0]}) and no failover`, {
          value: pin, allowed: 'two or more targets per pin for failover', fix: `add a second ${pin} target`,
        });
      }
    });
  }
  checkDerivedNames(draft, problems);
}

function checkKey(key: string, path: readonly string[], what: string, problems: ProblemList): void {
  if (checkName(NAME_RULES.key, key)) return;
  problems.error('naming/key', path, `the ${what} id '${key}' is used in cloud resource names and breaks naming rules`, {
    value: key, allowed: NAME_RULES.key.allowed, fix: `rename it, e.g. '${key.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || what}'`,
  });
}

/** Each derived name must satisfy its cloud's rule; a collision between two targets is an error too. */
function checkDerivedNames(draft: PlanDraft, problems: ProblemList): void {
  if (draft.name === undefined || !checkName(NAME_RULES.planName, draft.name)) return;
  const plan = { name: draft.name, ...(draft.azure ? { azure: draft.azure } : {}) };
  const check = (rule: NameRule, name: string, path: readonly (string | number)[]) => {
    if (checkName(rule, name)) return;
    problems.error('naming/derived-name', path, `the derived ${rule.what} '${name}' breaks its naming rule`, {
      value: name, allowed: rule.allowed, fix: 'shorten the plan name, family id or target id',
    });
  };
  check(NAME_RULES.iamRole, routerRoleName(plan), ['name']);
  check(NAME_RULES.dynamoTable, stateTableName(plan), ['name']);
  check(NAME_RULES.wifPool, workloadIdentityPoolId(plan), ['name']);
  const deployments = new Map<string, string>();
  for (const ref of targetsOfDraft(draft)) {
    for (const kind of ['throttle-rate', 'low-headroom', 'retry-budget-exhausted'] as const) {
      check(NAME_RULES.alarm, alarmName(plan, ref.familyId, ref.targetId, kind), ref.path);
    }
    const { target } = ref;
    if (target.provider === 'azure-openai') {
      // Without the azure block the plan already has azure/missing-block, and no suffix to derive.
      if (plan.azure) check(NAME_RULES.azureAccount, azureAccountName(plan, target.region), [...ref.path, 'region']);
      const deployment = azureDeploymentName(ref.familyId, ref.targetId);
      check(NAME_RULES.azureDeployment, deployment, ref.path);
      const account = `${target.region}/${deployment}`;
      const other = deployments.get(account);
      if (other) {
        problems.error('naming/collision', ref.path, `targets ${other} and ${ref.key} derive the same Azure deployment name '${deployment}'`, {
          value: ref.targetId, allowed: 'keys whose derived names differ', fix: 'rename one of the target ids',
        });
      }
      deployments.set(account, ref.key);
    }
    if (target.provider === 'vertex') {
      for (const limit of ['rpm', 'itpm', 'otpm']) {
        check(NAME_RULES.vertexQuotaPreference, vertexQuotaPreferenceId(plan, ref.familyId, ref.targetId, limit), ref.path);
      }
    }
  }
}
