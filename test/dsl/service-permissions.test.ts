import { expect } from 'chai';
import { z } from 'zod';
import {
  type AnyChain,
  awsSdkStep,
  type Chain,
  callbackPermissions,
  defineWorkflow,
  dynamodbGetItem,
  dynamodbUpdateItem,
  eventBridgePutEvents,
  placeholderBindings,
  platformResource,
  type ResourceBindings,
  s3GetObject,
  s3PutObject,
  snsPublish,
  sqsSendMessage,
  workflowPermissions,
} from '../../dsl/index.ts';
import type { RootScope } from '../../dsl/workflow.ts';
import { reviewCallbackWorkflow } from './examples/index.ts';

const Input = z.object({ id: z.string(), topic: z.string(), key: z.string() });
type Input = z.input<typeof Input>;

function permissionsOf(
  definition: (start: Chain<Input, Input, RootScope>) => AnyChain<RootScope>,
  bindings: ResourceBindings = placeholderBindings(),
) {
  const workflow = defineWorkflow({
    name: 'services',
    description: 'Service steps',
    input: Input,
    definition,
  });
  return workflowPermissions(workflow.root, bindings, workflow.name).map(({ Action, Resource }) => ({
    Action,
    Resource: Resource.map((r) =>
      typeof r === 'string' ? r : `output(${(r as unknown as FakeOutput).value})`,
    ),
  }));
}

/** Stands in for a Pulumi Output: a value only reachable through `apply` (which flattens, as Pulumi's does). */
class FakeOutput {
  constructor(readonly value: string) {}
  apply(f: (value: string) => unknown): FakeOutput {
    const result = f(this.value);
    return result instanceof FakeOutput ? result : new FakeOutput(String(result));
  }
}

describe('service step permissions', () => {
  it('grants each call on exactly the resource it names, in the state machine account', () => {
    // WHEN one step of each integration names its resource
    const statements = permissionsOf((start) =>
      start
        .serviceStep(
          'Tell',
          ($) => snsPublish({ TopicArn: platformResource('snsTopic', 'news'), Message: $.id }),
          { resultPath: null },
        )
        .serviceStep(
          'Queue',
          ($) =>
            sqsSendMessage({
              QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/jobs',
              MessageBody: $.id,
            }),
          { resultPath: null },
        )
        .serviceStep('Get', ($) => dynamodbGetItem({ TableName: 'documents', Key: { id: { S: $.id } } }), {
          resultPath: null,
        })
        .serviceStep(
          'Bump',
          ($) =>
            dynamodbUpdateItem({
              TableName: 'arn:aws:dynamodb:eu-west-1:111122223333:table/other',
              Key: { id: { S: $.id } },
            }),
          { resultPath: null },
        )
        .serviceStep(
          'Read',
          ($) => s3GetObject({ Bucket: platformResource('s3Bucket', 'audience'), Key: $.key }),
          { resultPath: null },
        )
        .serviceStep('Write', () => s3PutObject({ Bucket: 'reports', Key: 'daily.json', Body: '{}' }), {
          resultPath: null,
        })
        .serviceStep(
          'Announce',
          ($) =>
            eventBridgePutEvents({
              Entries: [
                { Source: 's', DetailType: 'd', Detail: { id: $.id } },
                {
                  Source: 's',
                  DetailType: 'd',
                  Detail: 'x',
                  EventBusName: platformResource('eventBus', 'jobs'),
                },
              ],
            }),
          { resultPath: null },
        )
        .succeed('Done'),
    );
    // THEN
    expect(statements).to.deep.equal([
      { Action: ['sns:Publish'], Resource: ['arn:aws:sns:us-east-1:123456789012:audience-io-news'] },
      { Action: ['sqs:SendMessage'], Resource: ['arn:aws:sqs:eu-west-1:111122223333:jobs'] },
      { Action: ['dynamodb:GetItem'], Resource: ['arn:aws:dynamodb:us-east-1:123456789012:table/documents'] },
      { Action: ['dynamodb:UpdateItem'], Resource: ['arn:aws:dynamodb:eu-west-1:111122223333:table/other'] },
      // The key is known only at run time: every object of the bucket, and no other bucket.
      { Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::audience-io-audience/*'] },
      { Action: ['s3:PutObject'], Resource: ['arn:aws:s3:::reports/daily.json'] },
      {
        Action: ['events:PutEvents'],
        Resource: [
          'arn:aws:events:us-east-1:123456789012:event-bus/default',
          'arn:aws:events:us-east-1:123456789012:event-bus/audience-io-jobs',
        ],
      },
    ]);
  });

  it('builds the resource from Pulumi Outputs when the bindings give them (the deployed state machine, topic)', () => {
    const bindings: ResourceBindings = {
      ...placeholderBindings(),
      stateMachineArn: (name) =>
        new FakeOutput(`arn:aws-cn:states:cn-north-1:444455556666:stateMachine:${name}`) as never,
      platformResource: (_kind, name) => new FakeOutput(name) as never,
    };
    const statements = permissionsOf(
      (start) =>
        start
          .serviceStep('Get', ($) =>
            dynamodbGetItem({
              TableName: platformResource('dynamodbTable', 'docs'),
              Key: { id: { S: $.id } },
            }),
          )
          .succeed('Done'),
      bindings,
    );
    expect(statements).to.deep.equal([
      {
        Action: ['dynamodb:GetItem'],
        Resource: ['output(arn:aws-cn:dynamodb:cn-north-1:444455556666:table/docs)'],
      },
    ]);
  });

  it('refuses a resource taken from the state unless the author names the resources the role may use', () => {
    expect(() =>
      permissionsOf((start) =>
        start.serviceStep('Tell', ($) => snsPublish({ TopicArn: $.topic, Message: $.id })).succeed('Done'),
      ),
    ).to.throw(
      'sns:publish: TopicArn is taken from the state; name the resources the role may use with { iamResources: [...] }',
    );
    const statements = permissionsOf((start) =>
      start
        .serviceStep('Tell', ($) =>
          snsPublish(
            { TopicArn: $.topic, Message: $.id },
            { iamResources: ['arn:aws:sns:us-east-1:123456789012:alerts-*'] },
          ),
        )
        .succeed('Done'),
    );
    expect(statements).to.deep.equal([
      { Action: ['sns:Publish'], Resource: ['arn:aws:sns:us-east-1:123456789012:alerts-*'] },
    ]);
  });

  it('grants a generic SDK call what its author states', () => {
    const statements = permissionsOf((start) =>
      start
        .serviceStep('Describe', () =>
          awsSdkStep('ec2', 'describeInstances', {}, { iam: { resources: ['*'] } }),
        )
        .serviceStep('Tag', () =>
          awsSdkStep(
            'ecs',
            'tagResource',
            { ResourceArn: 'arn:x', Tags: [] },
            { iam: { actions: ['ecs:TagResource'], resources: ['arn:x'] } },
          ),
        )
        .succeed('Done'),
    );
    expect(statements).to.deep.equal([
      { Action: ['ec2:DescribeInstances'], Resource: ['*'] },
      { Action: ['ecs:TagResource'], Resource: ['arn:x'] },
    ]);
    expect(() => awsSdkStep('EC2', 'DescribeInstances', {}, { iam: { resources: ['*'] } })).to.throw(
      /not an SDK service/,
    );
  });

  it("gives a job that a callback step waits for states:SendTask* on that step's state machines only", () => {
    const bindings = placeholderBindings();
    expect(callbackPermissions([reviewCallbackWorkflow], 'score-item', bindings)).to.deep.equal([
      {
        Effect: 'Allow',
        Action: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        Resource: ['arn:aws:states:us-east-1:123456789012:stateMachine:audience-io-review-callback'],
      },
    ]);
    expect(callbackPermissions([reviewCallbackWorkflow], 'audience-status', bindings)).to.deep.equal([]);
  });
});
