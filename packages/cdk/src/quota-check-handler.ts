/**
 * The deploy-time Bedrock quota check. `checkBedrockQuotas` is self-contained (no imports, no
 * helpers outside its body) because its source text becomes the inline Lambda code; the SDK client
 * and commands are passed in, so tests run it against a fake Service Quotas.
 */

/** One quota bucket the plan relies on: a model, a kind of invocation, a source region. */
export interface QuotaDemand {
  /** Plan targets sharing this bucket (`family/target`). */
  readonly targets: readonly string[];
  readonly model: string;
  /** `on-demand` (no profile), `cross-region` (geo profile) or `global` (global profile). */
  readonly kind: 'on-demand' | 'cross-region' | 'global';
  /** Sum of the targets' declared TPM. */
  readonly tpm: number;
  /** Sum of the targets' declared RPM. */
  readonly rpm: number;
  /** Overrides the model words matched in quota names, e.g. `Anthropic Claude Sonnet 4.5 V1`. */
  readonly quotaModelName?: string;
}

export interface QuotaCheckInput {
  readonly region: string;
  readonly demands: readonly QuotaDemand[];
  readonly requestIncreases: boolean;
}

export interface QuotaFinding {
  readonly targets: readonly string[];
  readonly model: string;
  readonly kind: string;
  /** Which quota: tokens per minute or requests per minute. */
  readonly metric: 'tpm' | 'rpm';
  readonly planned: number;
  /**
   * `ok`, `short` (applied value below the plan), `not-found` (no TPM quota name matched: a problem)
   * or `not-listed` (no RPM quota listed for the model: Bedrock's runtime quota page lists token
   * quotas only, so a missing RPM quota is reported but is not a shortfall).
   */
  readonly status: 'ok' | 'short' | 'not-found' | 'not-listed';
  readonly quotaName?: string;
  readonly quotaCode?: string;
  readonly applied?: number;
  readonly increaseRequested?: boolean;
  readonly increaseError?: string;
}

interface Quota { QuotaName?: string; QuotaCode?: string; Value?: number; Adjustable?: boolean }
interface Sdk {
  ListServiceQuotasCommand: new (input: object) => unknown;
  ListAWSDefaultServiceQuotasCommand: new (input: object) => unknown;
  RequestServiceQuotaIncreaseCommand: new (input: object) => unknown;
}
interface Client { send(command: unknown): Promise<{ Quotas?: Quota[]; NextToken?: string }> }

export async function checkBedrockQuotas(input: QuotaCheckInput, client: Client, sdk: Sdk): Promise<QuotaFinding[]> {
  const words = (text: string) => text.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  // Model id -> the words of its display name: drop the date stamp and the version suffix.
  const modelWords = (id: string) => words(id).filter((w, i, all) => !/^\d{8}$/.test(w) && !/^v\d+$/.test(w) && !(w === '0' && /^v\d+$/.test(all[i - 1] ?? '')));
  // Bedrock quota names, both spellings Service Quotas has used (AWS Bedrock user guide, "Quotas for
  // the bedrock-runtime endpoint" and "Request an increase for Amazon Bedrock quotas"):
  // "{On-demand|Cross-Region} InvokeModel {tokens|requests} per minute for ${model}" and
  // "{On-demand|Cross-region|Global cross-region} model inference {tokens|requests} per minute for ${model}".
  const kindOf = (name: string) => {
    const m = /^(global cross-region|cross-region|on-demand) (?:model inference|invokemodel) (tokens|requests) per minute for (.+)$/i.exec(name.trim());
    if (!m) return undefined;
    const kind = m[1]!.toLowerCase();
    return { kind: kind === 'global cross-region' ? 'global' : kind, metric: m[2]!.toLowerCase() === 'tokens' ? 'tpm' : 'rpm', model: m[3]! };
  };
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((w, i) => w === b[i]);
  const list = async (Command: Sdk['ListServiceQuotasCommand']) => {
    const out: Quota[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(new Command({ ServiceCode: 'bedrock', MaxResults: 100, ...(NextToken ? { NextToken } : {}) }));
      out.push(...(page.Quotas ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return out;
  };
  const applied = await list(sdk.ListServiceQuotasCommand);
  let defaults: Quota[] | undefined;
  const findings: QuotaFinding[] = [];
  for (const demand of input.demands) {
    const want = demand.quotaModelName ? words(demand.quotaModelName).filter((w) => !/^v\d+$/.test(w)) : modelWords(demand.model);
    for (const metric of ['tpm', 'rpm'] as const) {
      const planned = metric === 'tpm' ? demand.tpm : demand.rpm;
      const match = (q: Quota) => {
        const parsed = kindOf(q.QuotaName ?? '');
        return !!parsed && parsed.kind === demand.kind && parsed.metric === metric && same(words(parsed.model).filter((w) => !/^v\d+$/.test(w)), want);
      };
      let quota = applied.find(match);
      if (!quota) {
        defaults ??= await list(sdk.ListAWSDefaultServiceQuotasCommand);
        quota = defaults.find(match);
      }
      const base = { targets: demand.targets, model: demand.model, kind: demand.kind, metric, planned };
      if (!quota || quota.Value === undefined) {
        findings.push({ ...base, status: metric === 'tpm' ? 'not-found' : 'not-listed' });
        continue;
      }
      const found = { ...base, quotaName: quota.QuotaName!, quotaCode: quota.QuotaCode!, applied: quota.Value };
      if (quota.Value >= planned) {
        findings.push({ ...found, status: 'ok' });
        continue;
      }
      if (!input.requestIncreases) {
        findings.push({ ...found, status: 'short' });
        continue;
      }
      try {
        await client.send(new sdk.RequestServiceQuotaIncreaseCommand({ ServiceCode: 'bedrock', QuotaCode: quota.QuotaCode, DesiredValue: planned }));
        findings.push({ ...found, status: 'short', increaseRequested: true });
      } catch (error) {
        // An open request for the same quota (ResourceAlreadyExistsException) is not a new problem.
        findings.push({ ...found, status: 'short', increaseRequested: false, increaseError: String((error as Error).name ?? error) });
      }
    }
  }
  return findings;
}

/** A geo inference profile the router calls from this region, and the regions IAM grants its model in. */
export interface ProfileGrant {
  readonly targets: readonly string[];
  /** The system-defined profile id, e.g. `eu.anthropic.claude-sonnet-4-6`. */
  readonly profileId: string;
  /** Its ARN in the source region (`arn:aws:bedrock:{region}:{account}:inference-profile/{profileId}`). */
  readonly profileArn: string;
  /** Regions whose foundation-model ARN the router role may invoke through this profile. */
  readonly granted: readonly string[];
}

interface ProfileClient { send(command: unknown): Promise<{ models?: { modelArn?: string }[] }> }

/**
 * Reads each profile's live destinations (`GetInferenceProfile`: `models[].modelArn`, one
 * foundation-model ARN per destination region) and returns one line per destination the router's
 * role is not granted: AWS adds destinations over time, and a request routed to one the policy
 * does not list fails with 403. A profile that cannot be read is returned in `unchecked`.
 */
export async function checkProfileDestinations(
  region: string, profiles: readonly ProfileGrant[], client: ProfileClient, sdk: { GetInferenceProfileCommand: new (input: object) => unknown },
): Promise<{ problems: string[]; unchecked: string[] }> {
  const problems: string[] = [];
  const unchecked: string[] = [];
  for (const profile of profiles) {
    try {
      const out = await client.send(new sdk.GetInferenceProfileCommand({ inferenceProfileIdentifier: profile.profileArn }));
      // arn:aws:bedrock:{region}::foundation-model/{model}: the region is the fourth field.
      const live = [...new Set((out.models ?? []).map((m) => (m.modelArn ?? '').split(':')[3] ?? '').filter(Boolean))].sort();
      const missing = live.filter((r) => !profile.granted.includes(r));
      if (missing.length > 0) {
        problems.push(`${region} ${profile.targets.join(', ')}: ${profile.profileId} now routes to ${missing.join(', ')}, which IAM does not grant; ` +
          'add the region to the catalog\'s destinations (BEDROCK_GEOS) and deploy again');
      }
    } catch (error) {
      unchecked.push(`${region} ${profile.profileId}: destinations not read (${String((error as Error).name ?? error)})`);
    }
  }
  return { problems, unchecked };
}

/** One line per finding that needs attention, for the deployment error or warning. */
export function describeFindings(region: string, findings: readonly QuotaFinding[]): string[] {
  return findings.filter((f) => f.status === 'short' || f.status === 'not-found').map((f) => f.status === 'not-found'
    ? `${region} ${f.targets.join(', ')}: no ${f.kind} ${f.metric.toUpperCase()} quota matched ${f.model}; set quotaModelNames for it`
    : `${region} ${f.targets.join(', ')}: ${f.metric.toUpperCase()} '${f.quotaName}' (${f.quotaCode}) is ${f.applied}, the plan needs ${f.planned}` +
      (f.increaseRequested ? '; increase requested' : f.increaseError ? `; increase request failed: ${f.increaseError}` : ''));
}

/**
 * The Lambda source: the two functions above as text plus a Provider-framework `onEvent` handler.
 * The nodejs22.x runtime ships `@aws-sdk/client-service-quotas`, so nothing is bundled.
 */
export function quotaCheckHandlerSource(): string {
  return [
    '"use strict";',
    `const checkBedrockQuotas = ${checkBedrockQuotas.toString()};`,
    `const describeFindings = ${describeFindings.toString()};`,
    `const checkProfileDestinations = ${checkProfileDestinations.toString()};`,
    'exports.handler = async (event) => {',
    '  if (event.RequestType === "Delete") return { PhysicalResourceId: event.PhysicalResourceId };',
    '  const sdk = require("@aws-sdk/client-service-quotas");',
    '  const p = event.ResourceProperties;',
    '  const input = { region: p.Region, demands: JSON.parse(p.Demands), requestIncreases: p.RequestIncreases === "true" };',
    '  const findings = await checkBedrockQuotas(input, new sdk.ServiceQuotasClient({ region: p.Region }), sdk);',
    '  const problems = describeFindings(p.Region, findings);',
    '  console.log(JSON.stringify({ region: p.Region, findings }));',
    '  const profiles = JSON.parse(p.Profiles || "[]");',
    '  let bedrock;',
    '  try { bedrock = profiles.length > 0 ? require("@aws-sdk/client-bedrock") : undefined; } catch (error) { console.warn("Bedrock profile destinations not checked: " + error); }',
    '  if (bedrock) {',
    '    const destinations = await checkProfileDestinations(p.Region, profiles, new bedrock.BedrockClient({ region: p.Region }), bedrock);',
    '    problems.push(...destinations.problems);',
    '    if (destinations.unchecked.length > 0) console.warn("Bedrock profile destinations not checked: " + destinations.unchecked.join("; "));',
    '  }',
    '  if (problems.length > 0 && p.OnShortfall === "fail") throw new Error("Bedrock quotas or grants below the plan: " + problems.join("; "));',
    '  if (problems.length > 0) console.warn("Bedrock quotas or grants below the plan: " + problems.join("; "));',
    '  const limit = Number(p.ReportLimit) || 3000;',
    '  const shortfalls = problems.length === 0 ? "none" : problems.join("; ");',
    '  const cut = (text) => (text.length > limit ? text.slice(0, limit - 20) + " ... (see the log)" : text);',
    '  return { PhysicalResourceId: "bedrock-quota-check-" + p.Region, Data: { Shortfalls: cut(shortfalls), Report: cut(problems.length === 0 ? p.Region + ": none" : shortfalls) } };',
    '};',
  ].join('\n');
}
