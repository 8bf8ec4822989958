import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Headroom, Plan } from './index';

/**
 * The synthesized router policy against AWS's documented ARN formats (Bedrock user guide,
 * "Prerequisites for inference profiles" and the cross-Region inference IAM examples):
 * - foundation model: `arn:aws:bedrock:{region}::foundation-model/{modelId}`, no account id;
 * - system-defined inference profile: `arn:aws:bedrock:{region}:{account}:inference-profile/{geo}.{modelId}`;
 * - global profile: also `arn:aws:bedrock:::foundation-model/{modelId}` with `aws:RequestedRegion = unspecified`.
 */
const FOUNDATION_MODEL = /^arn:aws:bedrock:([a-z]{2}(?:-[a-z]+)+-\d)::foundation-model\/([a-z0-9.:-]+)$/;
const INFERENCE_PROFILE = /^arn:aws:bedrock:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):inference-profile\/(us|eu|apac|jp|au|global)\.([a-z0-9.:-]+)$/;

const ROOT = path.resolve(__dirname, '../../..');
const plan = Plan.fromFile(path.join(ROOT, 'infra/headroom.yaml'));
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new Stack(app, 'Company', { env: Headroom.envOf(plan) });
new Headroom(stack, 'Headroom', { plan, routerEntry: path.resolve(__dirname, '../test/fixtures/router-entry.ts') });
const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties: any }>;
const policy = Object.entries(resources).find(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('HeadroomRouterRole'))![1];
const bedrock: any[] = policy.Properties.PolicyDocument.Statement.filter((s: any) => [s.Action].flat().some((a: string) => a.startsWith('bedrock:')));
const resourcesOf = (s: any): string[] => [s.Resource].flat();
const viaProfile = (s: any): string | undefined => s.Condition?.StringEquals?.['bedrock:InferenceProfileArn'];

describe('router IAM for Bedrock, against the documented ARN formats', () => {
  it('inference-profile ARNs carry the plan\'s account and the source region; they are granted without a condition', () => {
    const profiles = bedrock.filter((s) => !s.Condition).flatMap(resourcesOf);
    expect(profiles.length).toBeGreaterThan(0);
    for (const arn of profiles) {
      const m = INFERENCE_PROFILE.exec(arn);
      expect(m).not.toBeNull();
      expect(m![2]).toBe('111122223333');
    }
    expect(profiles.sort()).toEqual([
      'arn:aws:bedrock:ap-southeast-1:111122223333:inference-profile/global.anthropic.claude-haiku-4-5-20251001-v1:0',
      'arn:aws:bedrock:eu-central-1:111122223333:inference-profile/eu.anthropic.claude-sonnet-4-6',
      'arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.anthropic.claude-haiku-4-5-20251001-v1:0',
      'arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0',
      'arn:aws:bedrock:us-west-2:111122223333:inference-profile/us.anthropic.claude-sonnet-4-6',
    ]);
  });

  it('foundation-model ARNs have no account id and are reachable only through a declared profile of the same model', () => {
    const profiles = new Set(bedrock.filter((s) => !s.Condition).flatMap(resourcesOf));
    for (const s of bedrock.filter((x) => x.Condition)) {
      const profile = viaProfile(s)!;
      expect(profiles.has(profile)).toBe(true);
      const model = INFERENCE_PROFILE.exec(profile)![4];
      for (const arn of resourcesOf(s)) {
        if (arn.startsWith('arn:aws:bedrock:::')) continue; // the global profile's region-less ARN, below
        const m = FOUNDATION_MODEL.exec(arn);
        expect(m).not.toBeNull();
        expect(m![2]).toBe(model);
      }
    }
  });

  it('a geo profile reaches the foundation model in every destination region of its geo, the source region included', () => {
    // Destinations of the us and eu geos as the catalog records them (source: aws-bedrock-alpha's
    // CrossRegionInferenceProfile, confidence "likely"); each geo's source regions are among them.
    const destinations = (profileEnd: string) => resourcesOf(bedrock.find((s) => viaProfile(s)?.endsWith(profileEnd))).map((r) => FOUNDATION_MODEL.exec(r)![1]);
    expect(destinations('us.anthropic.claude-sonnet-4-6')).toEqual(['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2']);
    expect(destinations('us.anthropic.claude-haiku-4-5-20251001-v1:0')).toContain('us-east-1');
    expect(destinations('eu.anthropic.claude-haiku-4-5-20251001-v1:0')).toEqual(
      ['eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3']);
  });

  it('the global profile adds the region-less foundation-model ARN, only with aws:RequestedRegion = unspecified', () => {
    const global = 'arn:aws:bedrock:ap-southeast-1:111122223333:inference-profile/global.anthropic.claude-haiku-4-5-20251001-v1:0';
    const statements = bedrock.filter((s) => viaProfile(s) === global);
    const regionless = statements.find((s) => resourcesOf(s).includes('arn:aws:bedrock:::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0'));
    expect(regionless.Condition.StringEquals).toEqual({ 'bedrock:InferenceProfileArn': global, 'aws:RequestedRegion': 'unspecified' });
    expect(resourcesOf(regionless)).toHaveLength(1);
    // The source-region foundation model, through the profile.
    expect(statements.flatMap(resourcesOf)).toContain('arn:aws:bedrock:ap-southeast-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0');
  });
});
