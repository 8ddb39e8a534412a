import { expect } from 'chai';
import { START_RETRY_POLICY } from '../../infra/import-trigger.ts';
import type { PlanResult } from '../../infra/plan-run.ts';
import { EXECUTION_ALARMS } from '../../infra/workflow-state-machine.ts';
import { allWorkflows } from '../../workflows/index.ts';
import {
  parsedJson,
  plannedDevStack,
  plannedSecretStack,
  plannedStacks,
  resourceNamed,
  resourcesOfType,
} from './stack.ts';

const ALARM = 'aws:cloudwatch/metricAlarm:MetricAlarm';

function topicArn(plan: PlanResult): string {
  return String(resourceNamed(plan, 'aws:sns/topic:Topic', 'audience-io-alarms-topic').state.arn);
}

interface Widget {
  properties: { title: string; metrics: [string, string, string, string, { stat: string }][] };
}

for (const [stack, planned] of plannedStacks) {
  describe(`infra observability: ${stack} stack (Pulumi mocks)`, () => {
    let plan: PlanResult;
    before(async () => {
      plan = await planned();
    });

    for (const workflow of allWorkflows) {
      it(`${workflow.name}: failed, timed-out and throttled executions alarm the topic`, () => {
        const machine = resourceNamed(
          plan,
          'aws:sfn/stateMachine:StateMachine',
          `audience-io-${workflow.name}-state-machine`,
        );
        for (const { metricName, alarm } of EXECUTION_ALARMS) {
          expect(
            resourceNamed(plan, ALARM, `audience-io-${workflow.name}-${alarm}`).inputs,
            metricName,
          ).to.deep.include({
            namespace: 'AWS/States',
            metricName,
            dimensions: { StateMachineArn: machine.state.arn },
            statistic: 'Sum',
            threshold: 1,
            comparisonOperator: 'GreaterThanOrEqualToThreshold',
            treatMissingData: 'notBreaching',
            alarmActions: [topicArn(plan)],
          });
        }
      });
    }

    it('an import whose start cannot be delivered is retried, then kept in a dead-letter queue that alarms', () => {
      const queue = resourceNamed(plan, 'aws:sqs/queue:Queue', 'audience-io-import-trigger-dead-letters');
      const [target] = resourcesOfType(plan, 'aws:cloudwatch/eventTarget:EventTarget');
      expect(target?.inputs).to.deep.include({
        retryPolicy: { ...START_RETRY_POLICY },
        deadLetterConfig: { arn: queue.state.arn },
      });
      expect(queue.inputs).to.deep.include({
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: 1_209_600,
      });
      expect(
        resourceNamed(plan, ALARM, 'audience-io-import-trigger-dead-letters-alarm').inputs,
      ).to.deep.include({
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: queue.state.name },
        threshold: 1,
        alarmActions: [topicArn(plan)],
      });
    });

    it('only EventBridge, for the import rule, may send to the dead-letter queue', () => {
      const queue = resourceNamed(plan, 'aws:sqs/queue:Queue', 'audience-io-import-trigger-dead-letters');
      const [rule] = resourcesOfType(plan, 'aws:cloudwatch/eventRule:EventRule');
      const [policy] = resourcesOfType(plan, 'aws:sqs/queuePolicy:QueuePolicy');
      expect(policy?.inputs.queueUrl).to.equal(queue.state.url);
      expect(parsedJson<{ Statement: unknown[] }>(policy?.inputs.policy).Statement).to.deep.equal([
        {
          Sid: 'UndeliveredImportEvents',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: queue.state.arn,
          Condition: { ArnEquals: { 'aws:SourceArn': rule?.state.arn } },
        },
      ]);
    });

    it('one dashboard shows executions, durations and rows/s per workflow', () => {
      const [dashboard, ...others] = resourcesOfType(plan, 'aws:cloudwatch/dashboard:Dashboard');
      expect(others).to.deep.equal([]);
      const widgets = parsedJson<{ widgets: Widget[] }>(dashboard?.inputs.dashboardBody).widgets;
      const namespace = `audience-io/${stack === 'secret' ? 'prod' : stack}`;
      for (const workflow of allWorkflows) {
        const arn = resourceNamed(
          plan,
          'aws:sfn/stateMachine:StateMachine',
          `audience-io-${workflow.name}-state-machine`,
        ).state.arn;
        const titled = (title: string) =>
          widgets.find((w) => w.properties.title === `${workflow.name}: ${title}`);
        expect(titled('executions')?.properties.metrics.map((m) => [m[1], m[3]])).to.deep.equal(
          ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut'].map((m) => [
            m,
            arn,
          ]),
        );
        expect(titled('duration')?.properties.metrics.map((m) => [m[1], m[3], m[4].stat])).to.deep.equal([
          ['ExecutionTime', arn, 'Average'],
          ['ExecutionTime', arn, 'p90'],
        ]);
      }
      const rows = (workflow: string) =>
        widgets
          .find((w) => w.properties.title === `${workflow}: rows/s`)
          ?.properties.metrics.map((m) => [m[0], m[1], m[2], m[3]]);
      expect(rows('import-audience')).to.deep.equal([[namespace, 'RowsPerSecond', 'Job', 'import-audience']]);
      expect(rows('export-audience')).to.deep.equal([[namespace, 'RowsPerSecond', 'Job', 'export-audience']]);
      expect(rows('import-starter')).to.equal(undefined);
    });

    it('the jobs that report throughput write their metrics to the namespace the dashboard reads', () => {
      const namespace = `audience-io/${stack === 'secret' ? 'prod' : stack}`;
      for (const task of resourcesOfType(plan, 'aws:ecs/taskDefinition:TaskDefinition')) {
        const [container] = parsedJson<{ environment: { name: string; value: string }[] }[]>(
          task.inputs.containerDefinitions,
        );
        expect(container?.environment, task.name).to.deep.include({
          name: 'METRICS_NAMESPACE',
          value: namespace,
        });
      }
    });
  });
}

describe('infra observability: who hears about alarms', () => {
  it('the dev stack subscribes its alarm email to the topic', async () => {
    const plan = await plannedDevStack();
    expect(
      resourcesOfType(plan, 'aws:sns/topicSubscription:TopicSubscription').map((s) => s.inputs),
    ).to.deep.equal([
      { topic: topicArn(plan), protocol: 'email', endpoint: 'data-platform-alerts@example.com' },
    ]);
  });

  it('without alarmEmail nothing subscribes; the topic is a stack output to subscribe to', async () => {
    const plan = await plannedSecretStack();
    expect(resourcesOfType(plan, 'aws:sns/topicSubscription:TopicSubscription')).to.deep.equal([]);
    expect(plan.outputs.alarmTopicArn).to.equal(topicArn(plan));
  });
});
