import * as pulumi from '@pulumi/pulumi';
import { AzureRouterIdentity } from './azure-router-identity';
import { EXAMPLE_ISSUER, examplePlan } from './plans.test.fixture';
import { constructionRecorder, installStrictMocks, settle, StrictMocks, valueOf } from './testing';

const mocks = new StrictMocks();
beforeAll(() => installStrictMocks(mocks));
beforeEach(() => mocks.reset());
afterEach(() => { mocks.assertValid(); jest.restoreAllMocks(); });

describe('AzureRouterIdentity', () => {
  it('creates an application, its service principal and a credential trusting the router role tokens', async () => {
    const { transformation, constructions } = constructionRecorder();
    const identity = new AzureRouterIdentity('id', { plan: examplePlan() }, { transformations: [transformation] });
    await settle();
    expect(mocks.one('azuread:index/application:Application', 'id-app').inputs).toMatchObject({ displayName: 'support-bot-headroom-router', signInAudience: 'AzureADMyOrg' });
    const app = mocks.one('azuread:index/application:Application', 'id-app');
    expect(mocks.one('azuread:index/servicePrincipal:ServicePrincipal', 'id-sp').inputs).toEqual({ clientId: await valueOf(identity.clientId), appRoleAssignmentRequired: false });
    expect(mocks.one('azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential', 'id-aws-role').inputs).toEqual({
      applicationId: 'id-app-id',
      displayName: 'support-bot-headroom-router',
      description: 'Outbound web identity tokens of arn:aws:iam::111122223333:role/support-bot-headroom-router',
      issuer: EXAMPLE_ISSUER,
      subject: 'arn:aws:iam::111122223333:role/support-bot-headroom-router',
      audiences: ['api://AzureADTokenExchange'],
    });
    expect(app.inputs).not.toHaveProperty('password');
    expect(mocks.resources.some((r) => /Password|Certificate/.test(r.type))).toBe(false);
    expect(await valueOf(identity.tenantId)).toBe('00000000-0000-4000-8000-000000000002');
    expect(await valueOf(identity.principalId)).toMatch(/^[0-9a-f-]{36}$/);
    expect(constructions.filter((c) => c.name !== 'id').map((c) => c.parentName)).toEqual(['id', 'id', 'id']);
  });

  it('sets no owners unless given (the provider adds none, not even the deployer); given owners go on the application and its service principal', async () => {
    new AzureRouterIdentity('id', { plan: examplePlan() });
    await settle();
    expect(mocks.one('azuread:index/application:Application', 'id-app').inputs).not.toHaveProperty('owners');
    expect(mocks.one('azuread:index/servicePrincipal:ServicePrincipal', 'id-sp').inputs).not.toHaveProperty('owners');
    mocks.reset();
    const owner = '00000000-0000-4000-8000-0000000000d1';
    new AzureRouterIdentity('id', { plan: examplePlan(), owners: [owner] });
    await settle();
    expect(mocks.one('azuread:index/application:Application', 'id-app').inputs.owners).toEqual([owner]);
    expect(mocks.one('azuread:index/servicePrincipal:ServicePrincipal', 'id-sp').inputs.owners).toEqual([owner]);
  });

  it('skips only the federated credential, with a warning, while the plan has no issuer', async () => {
    const warn = jest.spyOn(pulumi.log, 'warn').mockResolvedValue();
    const identity = new AzureRouterIdentity('id', { plan: examplePlan(null) });
    await settle();
    expect(mocks.resources.map((r) => r.type).sort()).toEqual([
      'azuread:index/application:Application', 'azuread:index/servicePrincipal:ServicePrincipal', 'headroom:azure:RouterIdentity',
    ]);
    expect(identity.federatedCredential).toBeUndefined();
    expect(await valueOf(identity.subject)).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toContain('[azure/keyless-trust-skipped]');
  });
});
