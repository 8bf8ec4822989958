import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Headroom, Plan, type HeadroomProps } from './index';
import { EXPOSE_STATUS_ENV, STATE_TABLE_ENV } from './router';

/** `exposeStatus` reaches the router as HEADROOM_EXPOSE_STATUS=1, which `router-lambda/src/lambda.ts` reads. */
const ROOT = path.resolve(__dirname, '../../..');
const FIXTURE_ENTRY = path.resolve(__dirname, '../test/fixtures/router-entry.ts');
const plan = Plan.fromFile(path.join(ROOT, 'infra/headroom.yaml'));
// Synthesis is CPU-bound; a busy 2-core machine can take far longer than jest's 5 s default.
jest.setTimeout(120_000);

function routerEnvironment(props: Partial<HeadroomProps> = {}): Record<string, unknown> {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Company', { env: Headroom.envOf(plan) });
  new Headroom(stack, 'Headroom', { plan, routerEntry: FIXTURE_ENTRY, ...props });
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: { [STATE_TABLE_ENV]: Match.anyValue() } } },
  });
  const [router] = Object.values(functions) as { Properties: { Environment: { Variables: Record<string, unknown> } } }[];
  return router!.Properties.Environment.Variables;
}

describe('exposeStatus', () => {
  it('is off by default: the router gets no HEADROOM_EXPOSE_STATUS', () => {
    expect(EXPOSE_STATUS_ENV).toBe('HEADROOM_EXPOSE_STATUS');
    expect(routerEnvironment()).not.toHaveProperty(EXPOSE_STATUS_ENV);
    expect(routerEnvironment({ exposeStatus: false })).not.toHaveProperty(EXPOSE_STATUS_ENV);
  });

  it('true sets HEADROOM_EXPOSE_STATUS=1 on the router function', () => {
    expect(routerEnvironment({ exposeStatus: true })).toMatchObject({ [EXPOSE_STATUS_ENV]: '1' });
  });
});
