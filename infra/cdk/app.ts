/**
 * Example company stack: Headroom composed beside the company's own resources (stand-ins here for
 * an existing on-call SNS topic and a service role that calls the router). `npx cdk synth` runs it
 * offline: the environment comes from the plan, nothing is looked up.
 */
import * as path from 'node:path';
import { App, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
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
    this.headroom = new Headroom(this, 'Headroom', {
      plan: props.plan,
      alarmTopic: onCall,
      logRetention: logs.RetentionDays.THREE_MONTHS,
      ...(routerEntry ? { routerEntry: path.resolve(routerEntry) } : {}),
    });
    this.headroom.grantInvoke(supportService);

    // The company's own alarm on Headroom's metrics: the support bot's users saw 429s.
    this.headroom.metrics.family('chatbot').clientThrottles().createAlarm(this, 'ChatbotClientThrottles', {
      alarmDescription: 'Support bot users got 429s: every chatbot region was out of headroom.',
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new cloudwatchActions.SnsAction(onCall));
  }
}

const plan = Plan.fromFile(path.resolve(__dirname, '../headroom.yaml'));
const app = new App();
new SupportBotStack(app, 'SupportBotHeadroom', { plan, env: Headroom.envOf(plan) });
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
