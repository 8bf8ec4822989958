/**
 * Example company stack: Headroom composed beside the company's own resources (stand-ins here for
 * an existing on-call SNS topic and a service role that calls the router). `npx cdk synth` runs it
 * offline: the environment comes from the plan, nothing is looked up.
 */
import * as path from 'node:path';
import { App, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { Headroom, Plan } from '@headroom/cdk';

interface CompanyStackProps extends StackProps {
  readonly plan: Plan;
}

export class SupportBotStack extends Stack {
  readonly headroom: Headroom;

  constructor(scope: Construct, id: string, props: CompanyStackProps) {
    super(scope, id, props);
    // Stand-in for the company's existing on-call topic (usually imported with sns.Topic.fromTopicArn).
    const onCall = sns.Topic.fromTopicArn(this, 'OnCall', `arn:aws:sns:${props.plan.aws.region}:${props.plan.aws.account}:platform-on-call`);
    // Stand-in for the service that calls the router with signedFetch().
    const supportService = new iam.Role(this, 'SupportService', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Support bot service: calls the Headroom router URL',
    });

    // `-c headroomRouterEntry=path` overrides the router entry (default: router-lambda/src/lambda.ts).
    const routerEntry = this.node.tryGetContext('headroomRouterEntry') as string | undefined;
    this.headroom = new Headroom(this, 'Headroom', { plan: props.plan, alarmTopic: onCall, ...(routerEntry ? { routerEntry: path.resolve(routerEntry) } : {}) });
    this.headroom.grantInvoke(supportService);
  }
}

const plan = Plan.fromFile(path.resolve(__dirname, '../headroom.yaml'));
const app = new App();
new SupportBotStack(app, 'SupportBotHeadroom', { plan, env: Headroom.envOf(plan) });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
