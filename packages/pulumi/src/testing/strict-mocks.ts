import * as pulumi from '@pulumi/pulumi';
import { inputViolations, type InputViolation } from './input-rules';

export type { InputViolation } from './input-rules';

/**
 * Strict Pulumi mocks for tests of Headroom components and of programs that compose them:
 * every resource is recorded with its type, name and inputs; any provider function call
 * (`invoke`) not explicitly allowed (or answered by default: `getClientConfig`) is recorded as
 * unexpected and fails `assertNoUnexpectedCalls`.
 * Every resource is also checked as the engine and the providers would: a second resource with
 * the same type and name (the engine's duplicate URN; the parent's type is not visible to mocks),
 * two resources with one physical name, and inputs outside the provider's enums or documented
 * values (`input-rules.ts`). Those are recorded as `violations` and fail `assertValid`.
 * Provider-computed outputs (ids, client ids, resource names) are filled in like the real
 * providers do, so outputs built from them resolve to realistic values.
 */

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  /** Set for `Resource.get` reads. */
  readonly readId?: string;
}

export class UnexpectedCallError extends Error {
  override readonly name = 'UnexpectedCallError';
  constructor(readonly token: string, readonly inputs: unknown) {
    super(`unexpected provider call ${token} with ${JSON.stringify(inputs)}`);
  }
}

type Computed = (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown>;

const FAKE_GUID = (seed: string): string => {
  let h = 0;
  for (const ch of seed) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const hex = h.toString(16).padStart(8, '0');
  return `${hex}-0000-4000-8000-${hex}0000`;
};

/** Outputs the real providers compute, for the resource types Headroom creates or reads. */
const COMPUTED: Readonly<Record<string, Computed>> = {
  'azuread:index/application:Application': (a) => ({ clientId: FAKE_GUID(`client:${a.name}`), objectId: FAKE_GUID(`app:${a.name}`) }),
  'azuread:index/servicePrincipal:ServicePrincipal': (a) => ({ objectId: FAKE_GUID(`sp:${a.name}`) }),
  'azure-native:cognitiveservices:Account': (a) => ({
    name: a.inputs.accountName ?? a.name,
    properties: { ...a.inputs.properties, endpoint: `https://${a.inputs.properties?.customSubDomainName}.openai.azure.com/` },
  }),
  'azure-native:cognitiveservices:Deployment': (a) => ({ name: a.inputs.deploymentName ?? a.name }),
  'azure-native:resources:ResourceGroup': (a) => ({ name: a.inputs.resourceGroupName ?? String(a.id ?? a.name).split('/').pop() }),
  'gcp:organizations/project:Project': (a) => ({ projectId: a.inputs.projectId ?? String(a.id ?? a.name).split('/').pop(), number: '123456789012' }),
  'gcp:iam/workloadIdentityPool:WorkloadIdentityPool': (a) => ({
    name: `projects/123456789012/locations/global/workloadIdentityPools/${a.inputs.workloadIdentityPoolId}`,
  }),
  'gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider': (a) => ({
    name: `projects/123456789012/locations/global/workloadIdentityPools/${a.inputs.workloadIdentityPoolId}/providers/${a.inputs.workloadIdentityPoolProviderId}`,
  }),
};

/**
 * What the azure-native provider's `authorization.getClientConfig` answers under the mocks: the
 * provider's own subscription, deliberately not any plan's, so a test sees which one a value came from.
 */
export const MOCK_AZURE_CLIENT_CONFIG = {
  clientId: '00000000-0000-4000-8000-0000000000c1',
  objectId: '00000000-0000-4000-8000-0000000000c2',
  subscriptionId: '00000000-0000-4000-8000-0000000000a5',
  tenantId: '00000000-0000-4000-8000-0000000000c3',
} as const;

/** Provider functions the components call, answered by default. */
const DEFAULT_CALLS: Readonly<Record<string, (inputs: any) => Record<string, unknown>>> = {
  'azure-native:authorization:getClientConfig': () => ({ ...MOCK_AZURE_CLIENT_CONFIG }),
};

const ARM_ID: Readonly<Record<string, (a: pulumi.runtime.MockResourceArgs) => string>> = {
  'azure-native:cognitiveservices:Account': (a) =>
    `/subscriptions/${MOCK_AZURE_CLIENT_CONFIG.subscriptionId}/resourceGroups/${a.inputs.resourceGroupName}/providers/Microsoft.CognitiveServices/accounts/${a.inputs.accountName}`,
};

/** Physical names that must be unique, by resource type: what the cloud would refuse twice. */
const PHYSICAL_NAME: Readonly<Record<string, (inputs: Record<string, any>) => string | undefined>> = {
  // Also one preference per quota and dimensions ("There is only one QuotaPreference resource for a
  // quota value targeting a unique set of dimensions": magic-modules cloudquotas/QuotaPreference.yaml).
  'gcp:cloudquota/sQuotaPreference:SQuotaPreference#quota': (i) =>
    `${i.parent}|${i.service}|${i.quotaId}|${JSON.stringify(Object.entries(i.dimensions ?? {}).sort())}`,
  'azure-native:cognitiveservices:Account': (i) => i.properties?.customSubDomainName,
  'azure-native:cognitiveservices:Deployment': (i) => `${i.resourceGroupName}/${i.accountName}/${i.deploymentName}`,
  'gcp:cloudquota/sQuotaPreference:SQuotaPreference': (i) => `${i.parent}/${i.name}`,
  'gcp:iam/workloadIdentityPool:WorkloadIdentityPool': (i) => `${i.project}/${i.workloadIdentityPoolId}`,
};

export class StrictMocks implements pulumi.runtime.Mocks {
  readonly resources: RecordedResource[] = [];
  readonly unexpectedCalls: UnexpectedCallError[] = [];
  /** Resources the engine or the provider would refuse. */
  readonly violations: InputViolation[] = [];

  constructor(private readonly allowedCalls: Readonly<Record<string, (inputs: any) => Record<string, unknown>>> = {}) {}

  newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
    this.check(args);
    this.resources.push({ type: args.type, name: args.name, inputs: args.inputs, ...(args.id ? { readId: args.id } : {}) });
    const id = args.id || ARM_ID[args.type]?.(args) || `${args.name}-id`;
    return { id, state: { ...args.inputs, ...COMPUTED[args.type]?.(args) } };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const allowed = this.allowedCalls[args.token] ?? DEFAULT_CALLS[args.token];
    if (allowed) return allowed(args.inputs);
    const failure = new UnexpectedCallError(args.token, args.inputs);
    this.unexpectedCalls.push(failure);
    throw failure;
  }

  private check(args: pulumi.runtime.MockResourceArgs): void {
    const { type, name } = args;
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    if (this.resources.some((r) => r.type === type && r.name === name)) {
      this.violations.push({ type, name, field: '(urn)', received: name, allowed: 'one resource per type and name', source: 'Pulumi engine: duplicate resource URN' });
    }
    if (!args.id) {
      for (const [key, physical] of Object.entries(PHYSICAL_NAME).filter(([k]) => k.split('#')[0] === type)) {
        const physicalName = physical(inputs);
        if (physicalName === undefined || !this.resources.some((r) => r.type === type && !r.readId && physical(r.inputs) === physicalName)) continue;
        const field = key.includes('#') ? `(one per ${key.split('#')[1]})` : '(physical name)';
        this.violations.push({ type, name, field, received: physicalName, allowed: 'a value no other resource of this type has', source: 'the provider: a second create of one name or quota is refused' });
      }
    }
    // Reads (`.get`) carry no inputs; imports carry the full inputs, checked like a create.
    this.violations.push(...inputViolations(type, name, inputs));
  }

  ofType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The one resource of this type and name; throws when absent or duplicated. */
  one(type: string, name: string): RecordedResource {
    const found = this.resources.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}: ${this.resources.map((r) => `${r.type} ${r.name}`).join(', ')}`);
    return found[0]!;
  }

  assertNoUnexpectedCalls(): void {
    if (this.unexpectedCalls.length > 0) throw this.unexpectedCalls[0]!;
  }

  /** Throws on the first unexpected provider call or refused resource. */
  assertValid(): void {
    this.assertNoUnexpectedCalls();
    const [first] = this.violations;
    if (first) {
      throw new Error(`${this.violations.length} resource(s) the engine or provider would refuse; first: ${first.type} ${first.name} ${first.field} = ${JSON.stringify(first.received)}, allowed ${first.allowed} (${first.source})`);
    }
  }

  reset(): void {
    this.resources.length = 0;
    this.unexpectedCalls.length = 0;
    this.violations.length = 0;
  }
}

/** Installs the mocks (not a preview: every output is known). */
export async function installStrictMocks(mocks: StrictMocks, project = 'headroom', stack = 'test'): Promise<void> {
  await pulumi.runtime.setMocks(mocks, project, stack, false);
}

/** Waits until every resource registration and output resolution queued so far has finished. */
export async function settle(): Promise<void> {
  // `waitForRPCs` is exported by runtime/settings but marked @internal, so absent from the typings.
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  if (typeof runtime.waitForRPCs !== 'function') throw new Error('this @pulumi/pulumi version has no runtime.waitForRPCs');
  await runtime.waitForRPCs();
}

/** The value of an output (mocks resolve every output). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => { resolve(value); return value; }));
}

/** Records what each resource was constructed with: its options (parent, dependsOn) included. */
export interface Construction {
  readonly type: string;
  readonly name: string;
  readonly resource: pulumi.Resource;
  readonly parentName?: string;
  readonly dependsOnNames: readonly string[];
}

/**
 * A transformation to pass in a component's `transformations` option: it sees the component and
 * every descendant, with the options each was created with.
 */
export function constructionRecorder(): { readonly transformation: pulumi.ResourceTransformation; readonly constructions: Construction[] } {
  const constructions: Construction[] = [];
  const names = new WeakMap<pulumi.Resource, string>();
  const transformation: pulumi.ResourceTransformation = (args) => {
    names.set(args.resource, args.name);
    const dependsOn = args.opts.dependsOn;
    const list = (Array.isArray(dependsOn) ? dependsOn : dependsOn ? [dependsOn] : []) as pulumi.Resource[];
    const parentName = args.opts.parent ? names.get(args.opts.parent) : undefined;
    constructions.push({
      type: args.type,
      name: args.name,
      resource: args.resource,
      ...(parentName !== undefined ? { parentName } : {}),
      dependsOnNames: list.map((r) => names.get(r) ?? '(outside the component)'),
    });
    return undefined;
  };
  return { transformation, constructions };
}
