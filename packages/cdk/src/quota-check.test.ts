import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Headroom, Plan, quotaDemands } from './index';

const ROOT = path.resolve(__dirname, '../../..');
const FIXTURE_ENTRY = path.resolve(__dirname, '../test/fixtures/router-entry.ts');
const plan = Plan.fromFile(path.join(ROOT, 'infra/headroom.yaml'));

function synth(props: Partial<ConstructorParameters<typeof Headroom>[2]> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Company', { env: Headroom.envOf(plan) });
  new Headroom(stack, 'Headroom', { plan, routerEntry: FIXTURE_ENTRY, ...props });
  return Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties: any }>; Outputs?: Record<string, any> };
}

describe('deploy-time Bedrock quota shortfalls', () => {
  const template = synth({ onQuotaShortfall: 'fail' });
  const checks = Object.entries(template.Resources).filter(([, r]) => r.Type === 'Custom::HeadroomBedrockQuotaCheck');
  const regions = [...quotaDemands(plan).keys()];

  it('one check per Bedrock source region, each told the TPM and RPM it must find and to fail below them', () => {
    expect(checks.map(([, r]) => r.Properties.Region).sort()).toEqual(regions);
    for (const [, r] of checks) {
      expect(r.Properties.OnShortfall).toBe('fail');
      for (const demand of JSON.parse(r.Properties.Demands)) {
        expect(demand.rpm).toBeGreaterThan(0);
        expect(demand.tpm).toBeGreaterThan(0);
      }
      // Five regions share one 4,096-byte-safe output.
      expect(Number(r.Properties.ReportLimit) * regions.length).toBeLessThanOrEqual(3600);
    }
  });

  it('reaches the user as the stack output BedrockQuotaShortfalls: every region\'s Report attribute', () => {
    const outputs = Object.entries(template.Outputs ?? {}).filter(([id]) => id.startsWith('HeadroomBedrockQuotaShortfalls'));
    expect(outputs).toHaveLength(1);
    const value = outputs[0]![1].Value;
    expect(value['Fn::Join'][0]).toBe(' | ');
    const parts = value['Fn::Join'][1] as { 'Fn::GetAtt': [string, string] }[];
    expect(parts.map((p) => p['Fn::GetAtt'][1])).toEqual(regions.map(() => 'Report'));
    const regionOf = Object.fromEntries(checks.map(([id, r]) => [id, r.Properties.Region]));
    expect(parts.map((p) => regionOf[p['Fn::GetAtt'][0]]).sort()).toEqual(regions);
  });

  it('no check, no output', () => {
    const off = synth({ quotaCheck: false });
    expect(Object.keys(off.Outputs ?? {}).filter((id) => id.includes('BedrockQuotaShortfalls'))).toEqual([]);
    expect(Object.values(off.Resources).filter((r) => r.Type === 'Custom::HeadroomBedrockQuotaCheck')).toEqual([]);
  });
});

describe('live destinations of the geo profiles, checked at deploy time', () => {
  const template = synth();
  const checks = Object.values(template.Resources).filter((r) => r.Type === 'Custom::HeadroomBedrockQuotaCheck');
  const role = Object.entries(template.Resources).find(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('HeadroomBedrockQuotaCheckRole'))![1];

  it('each check gets the geo profiles called from its region, with the regions the router role grants', () => {
    const byRegion = Object.fromEntries(checks.map((r) => [r.Properties.Region, JSON.parse(r.Properties.Profiles)]));
    expect(byRegion['ap-southeast-1']).toEqual([]); // global profile: its grant lists no regions
    expect(byRegion['eu-central-1']).toEqual([{
      targets: ['claude-sonnet/bedrock-eu-central-1'], profileId: 'eu.anthropic.claude-sonnet-4-6',
      profileArn: 'arn:aws:bedrock:eu-central-1:111122223333:inference-profile/eu.anthropic.claude-sonnet-4-6',
      granted: ['eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3'],
    }]);
  });

  it('the handler may read exactly those profiles (GetInferenceProfile on account-scoped inference-profile ARNs)', () => {
    const read = role.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'ReadBedrockProfileDestinations');
    expect(read.Action).toBe('bedrock:GetInferenceProfile');
    expect([read.Resource].flat().sort()).toEqual([
      'arn:aws:bedrock:eu-central-1:111122223333:inference-profile/eu.anthropic.claude-sonnet-4-6',
      'arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0',
      'arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0',
      'arn:aws:bedrock:us-west-2:111122223333:inference-profile/us.anthropic.claude-sonnet-4-6',
    ]);
  });
});
