import type { PlanDraft } from '../draft';
import { ROUTING_DEFAULTS } from '../router-config';
import { checkName, NAME_RULES, workloadIdentityPoolId } from '../naming';
import { targetsOfDraft } from './targets';
import type { ProblemList } from './problem';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AWS_REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const RESOURCE_GROUP = /^[-\w.()]{0,89}[-\w()]$/;
/** Workload Identity pool ids (`<name>-router`) may not start with it (IAM API, workloadIdentityPools.create). */
const RESERVED_POOL_PREFIX = 'gcp-';

export function checkPlanLevel(draft: PlanDraft, problems: ProblemList): void {
  if (draft.name !== undefined && !checkName(NAME_RULES.planName, draft.name)) {
    problems.error('naming/plan-name', ['name'], 'the plan name prefixes every cloud resource name and breaks naming rules', {
      value: draft.name,
      allowed: NAME_RULES.planName.allowed,
      fix: `use e.g. '${suggestName(draft.name)}'`,
    });
  }
  if (draft.name !== undefined && draft.name.startsWith(RESERVED_POOL_PREFIX)) {
    problems.error('naming/reserved-prefix', ['name'], `the Workload Identity pool id '${workloadIdentityPoolId({ name: draft.name })}' would start with '${RESERVED_POOL_PREFIX}', which Google reserves`, {
      value: draft.name,
      allowed: `a plan name not starting with '${RESERVED_POOL_PREFIX}' (GCP reserves it for pool and provider ids)`,
      fix: `rename the plan, e.g. '${draft.name.replace(/^gcp-/, 'g-')}'`,
    });
  }
  if (draft.aws) {
    if (!/^\d{12}$/.test(draft.aws.account)) {
      problems.error('aws/account', ['aws', 'account'], 'not an AWS account id', {
        value: draft.aws.account, allowed: 'exactly 12 digits, quoted so YAML keeps leading zeros', fix: 'write it as a string, e.g. account: "111122223333"',
      });
    }
    if (!AWS_REGION.test(draft.aws.region)) {
      problems.error('aws/region', ['aws', 'region'], 'not an AWS region name', {
        value: draft.aws.region, allowed: "an AWS region code such as 'us-east-1'", fix: 'use the region code, not its display name',
      });
    }
  }
  if (draft.azure) {
    for (const field of ['subscription', 'tenant'] as const) {
      if (!GUID.test(draft.azure[field])) {
        problems.error('azure/guid', ['azure', field], `the Azure ${field} id is not a GUID`, {
          value: draft.azure[field], allowed: 'a GUID like 00000000-0000-0000-0000-000000000000', fix: `copy the ${field} id from the Azure portal or 'az account show'`,
        });
      }
    }
    if (draft.azure.clientId !== undefined && !GUID.test(draft.azure.clientId)) {
      problems.error('azure/guid', ['azure', 'clientId'], 'the Entra application id is not a GUID', {
        value: draft.azure.clientId, allowed: 'a GUID', fix: "copy the clientId of the Pulumi program's 'azureRouterIdentity' output (pulumi stack output azureRouterIdentity --json)",
      });
    }
    if (!RESOURCE_GROUP.test(draft.azure.resourceGroup)) {
      problems.error('naming/azure-resource-group', ['azure', 'resourceGroup'], 'breaks Azure resource group naming rules', {
        value: draft.azure.resourceGroup, allowed: '1-90 letters, digits, -, _, ., ( and ), not ending with a period', fix: 'rename the resource group',
      });
    }
  }
  if (draft.gcp) {
    if (!GCP_PROJECT.test(draft.gcp.project)) {
      problems.error('gcp/project', ['gcp', 'project'], 'not a GCP project id', {
        value: draft.gcp.project, allowed: '6-30 lowercase letters, digits and hyphens, starting with a letter', fix: 'use the project id (not its display name or number)',
      });
    }
    if (draft.gcp.projectNumber !== undefined && !/^\d{6,20}$/.test(draft.gcp.projectNumber)) {
      problems.error('gcp/project-number', ['gcp', 'projectNumber'], 'not a GCP project number', {
        value: draft.gcp.projectNumber, allowed: 'the numeric project number, quoted', fix: "run 'gcloud projects describe <id> --format=value(projectNumber)'",
      });
    }
  }

  const refs = targetsOfDraft(draft);
  const firstOf = (provider: string) => refs.find((r) => r.target.provider === provider);
  const azureTarget = firstOf('azure-openai');
  if (azureTarget && !draft.azure) {
    problems.error('azure/missing-block', ['azure'], `Azure OpenAI targets need the plan's azure block (first: ${azureTarget.key})`, {
      value: undefined,
      allowed: 'azure: { subscription, resourceGroup, tenant }',
      fix: 'add an azure block naming the subscription, resource group and tenant that hold the accounts',
      at: ['families', azureTarget.familyId, 'targets', azureTarget.targetId, 'provider'],
    });
  }
  const vertexTarget = firstOf('vertex');
  if (vertexTarget && !draft.gcp) {
    problems.error('gcp/missing-project', ['gcp', 'project'], `Vertex targets need gcp.project (first: ${vertexTarget.key})`, {
      value: undefined,
      allowed: 'gcp: { project: <project id> }',
      fix: 'add a gcp block with the project that holds the Vertex quota',
      at: ['families', vertexTarget.familyId, 'targets', vertexTarget.targetId, 'provider'],
    });
  }

  checkAliases(draft, problems);
  checkTimeouts(draft, problems);
  checkHold(draft, problems);
}

/**
 * A hold counts toward the request's total timeout, so the router never holds past totalMs
 * (router-lambda/src/hold.ts `holdAllowanceMs`): a longer maxMs is not an error, but it does not
 * do what it says.
 */
function checkHold(draft: PlanDraft, problems: ProblemList): void {
  const maxMs = draft.routing?.hold?.maxMs;
  if (maxMs === undefined) return;
  // The schema's 60 s cap on maxMs is below the default total (600 s): only a lowered total can be exceeded.
  const totalMs = draft.routing?.timeouts?.totalMs ?? ROUTING_DEFAULTS.timeouts.totalMs;
  if (maxMs <= totalMs) return;
  problems.warn('routing/hold-above-total', ['routing', 'hold', 'maxMs'], `hold.maxMs (${maxMs}) is longer than routing.timeouts.totalMs (${totalMs}): requests are held at most ${totalMs} ms`, {
    value: maxMs, allowed: `at most routing.timeouts.totalMs (${totalMs})`, fix: `lower routing.hold.maxMs to ${totalMs} or less (holds are meant to be short, e.g. the default ${ROUTING_DEFAULTS.hold.maxMs}), or raise routing.timeouts.totalMs`,
  });
}

/** Each timeout bounds a part of one response, so none may exceed the total. */
function checkTimeouts(draft: PlanDraft, problems: ProblemList): void {
  const timeouts = draft.routing?.timeouts;
  if (!timeouts) return;
  const totalMs = timeouts.totalMs ?? ROUTING_DEFAULTS.timeouts.totalMs;
  const totalText = timeouts.totalMs === undefined ? `the default totalMs (${totalMs})` : `totalMs (${totalMs})`;
  for (const field of ['headersMs', 'idleMs'] as const) {
    const value = timeouts[field];
    if (value === undefined || value <= totalMs) continue;
    problems.error('routing/timeout-above-total', ['routing', 'timeouts', field], `${field} (${value}) is longer than ${totalText}: the response would be cut first`, {
      value, allowed: `at most routing.timeouts.totalMs (${totalMs})`, fix: `lower ${field} or raise routing.timeouts.totalMs (at most 840000)`,
    });
  }
}

function checkAliases(draft: PlanDraft, problems: ProblemList): void {
  const owner = new Map<string, string>();
  for (const familyId of Object.keys(draft.families).sort()) {
    const aliases = draft.families[familyId]!.aliases;
    aliases.forEach((alias, index) => {
      const previous = owner.get(alias);
      if (previous === undefined) {
        owner.set(alias, familyId);
        return;
      }
      const sameFamily = previous === familyId;
      problems.error('family/duplicate-alias', ['families', familyId, 'aliases', index],
        sameFamily ? `alias '${alias}' is listed twice` : `alias '${alias}' is already served by family '${previous}'`, {
          value: alias,
          allowed: 'each model name in exactly one family, so the router knows where to send it',
          fix: sameFamily ? 'remove the repeated alias' : `remove it from '${familyId}' or from '${previous}'`,
        });
    });
  }
}

function suggestName(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^[^a-z]+|-+$/g, '').slice(0, 24).replace(/-+$/, '');
  return cleaned.length >= 3 ? cleaned : 'my-llm-plan';
}

