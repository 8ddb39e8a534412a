import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { z } from 'zod';
import {
  defineWorkflow,
  dynamodbGetItem,
  dynamodbPutItem,
  dynamodbUpdateItem,
  eventBridgePutEvents,
  intrinsics,
  platformResource,
  s3GetObject,
  s3HeadObject,
  s3PutObject,
  sqsSendMessage,
} from '../../dsl/index.ts';
import { runWorkflowLocally } from '../../local/runner/execution.ts';
import { placeholderResources } from '../../workflows/placeholder-bindings.ts';
import { failureNotificationWorkflow } from '../dsl/examples/index.ts';
import { uniqueId } from '../jobs/support.ts';
import { useLocalServices } from '../support/services.ts';
import { type RunnerFixture, runnerFixture } from './support.ts';

const table = platformResource('dynamodbTable', 'documents');
const bucket = platformResource('s3Bucket', 'examples');
const approvals = platformResource('sqsQueue', 'approvals');

/** Every typed service step against the emulator, ending with a callback through SQS. */
const documentFlow = defineWorkflow({
  name: 'document-flow',
  description: 'Stores a document in DynamoDB and S3, announces it, and waits for an approval',
  input: z.object({ id: z.string() }),
  definition: (start) =>
    start
      .serviceStep(
        'PutDoc',
        ($) => dynamodbPutItem({ TableName: table, Item: { id: { S: $.id }, n: { N: '1' } } }),
        {
          resultPath: null,
        },
      )
      .serviceStep(
        'BumpDoc',
        ($) =>
          dynamodbUpdateItem({
            TableName: table,
            Key: { id: { S: $.id } },
            UpdateExpression: 'SET n = :n',
            ExpressionAttributeValues: { ':n': { N: '2' } },
          }),
        { resultPath: null },
      )
      .serviceStep('GetDoc', ($) => dynamodbGetItem({ TableName: table, Key: { id: { S: $.id } } }), {
        resultPath: '$.doc',
      })
      .serviceStep(
        'WriteFile',
        ($) =>
          s3PutObject({
            Bucket: bucket,
            Key: intrinsics.format('docs/{}.json', $.id),
            Body: intrinsics.jsonToString($.doc),
          }),
        { resultPath: null },
      )
      .serviceStep(
        'HeadFile',
        ($) => s3HeadObject({ Bucket: bucket, Key: intrinsics.format('docs/{}.json', $.id) }),
        {
          resultPath: '$.head',
        },
      )
      .serviceStep(
        'ReadFile',
        ($) => s3GetObject({ Bucket: bucket, Key: intrinsics.format('docs/{}.json', $.id) }),
        {
          resultPath: '$.file',
        },
      )
      .serviceStep(
        'Announce',
        ($) =>
          eventBridgePutEvents({
            Entries: [{ Source: 'audience-io.test', DetailType: 'DocStored', Detail: { id: $.id } }],
          }),
        { resultPath: '$.announced' },
      )
      .serviceStep(
        'AskApproval',
        ($, ctx) => sqsSendMessage({ QueueUrl: approvals, MessageBody: { id: $.id, token: ctx.task.token } }),
        {
          integration: 'waitForTaskToken',
          output: (_: { approved: boolean }) => undefined,
          resultPath: '$.approval',
        },
      )
      .succeed('Stored'),
});

describe('local runner: service integrations against the AWS emulator', function () {
  this.timeout(60_000);
  let fixture: RunnerFixture;
  let region: string;
  let endpoint: string;
  const resource = placeholderResources().platformResource;

  before(async () => {
    fixture = await runnerFixture();
    await useLocalServices();
    region = fixture.deps.config.awsRegion;
    endpoint = String(fixture.deps.config.awsEndpoint);
    const config = { region, endpoint };
    await new DynamoDBClient(config)
      .send(
        new CreateTableCommand({
          TableName: resource('dynamodbTable', 'documents'),
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      )
      .catch((error: Error) => expect(error.name).to.equal('ResourceInUseException'));
    await new S3Client({ ...config, forcePathStyle: true })
      .send(new CreateBucketCommand({ Bucket: resource('s3Bucket', 'examples') }))
      .catch((error: Error) => expect(error.name).to.match(/BucketAlready/));
    await new SQSClient(config).send(new CreateQueueCommand({ QueueName: 'audience-io-approvals' }));
  });

  it('puts, updates and gets an item, writes, heads and reads an object, puts an event, and waits for an SQS consumer', async () => {
    // GIVEN a consumer of the approvals queue that calls back with the token it finds in the message
    const sqs = new SQSClient({ region, endpoint });
    const queueUrl = resource('sqsQueue', 'approvals');
    const id = uniqueId('doc');
    const consumer = (async () => {
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }),
        );
        const mine = Messages.map((m) => JSON.parse(m.Body ?? '{}') as { id: string; token: string }).find(
          (m) => m.id === id,
        );
        if (mine) return mine;
      }
    })();
    let callbackEndpoint = '';
    const execution = runWorkflowLocally(
      documentFlow,
      { id },
      {
        ...fixture.run,
        onEvent: (event) => {
          if (event.type === 'callback-waiting') callbackEndpoint = event.endpoint;
        },
      },
    );
    const message = await consumer;
    await new SFNClient({ region, endpoint: callbackEndpoint }).send(
      new SendTaskSuccessCommand({ taskToken: message.token, output: JSON.stringify({ approved: true }) }),
    );
    // WHEN the execution ends
    const done = await execution;
    // THEN every step answered as Step Functions does, and the callback's output is the last result
    expect(done.status, done.cause).to.equal('SUCCEEDED');
    const output = done.output as Record<string, Record<string, unknown>>;
    expect(output.doc?.Item).to.deep.equal({ id: { S: id }, n: { N: '2' } });
    expect(output.head).to.include({ ContentLength: JSON.stringify(output.doc).length });
    expect(JSON.parse(String(output.file?.Body))).to.deep.equal(output.doc);
    expect(output.announced).to.include({ FailedEntryCount: 0 });
    expect(output.approval).to.deep.equal({ approved: true });
  });

  it('fails a step with the service error named as Step Functions names it (S3.NoSuchKeyException)', async () => {
    const missing = defineWorkflow({
      name: 'missing-object',
      description: 'Reads an object that is not there',
      input: z.object({}),
      definition: (start) =>
        start.serviceStep('Read', () => s3GetObject({ Bucket: bucket, Key: 'nowhere.json' })).succeed('Done'),
    });
    const execution = await runWorkflowLocally(missing, {}, fixture.run);
    expect(execution).to.include({ status: 'FAILED', error: 'S3.NoSuchKeyException', failedState: 'Read' });
  });

  it('publishes the SNS notification of a failed step, which a subscribed queue receives', async () => {
    // GIVEN the failures topic with a queue subscribed to it
    const config = { region, endpoint };
    const { TopicArn } = await new SNSClient(config).send(
      new CreateTopicCommand({ Name: 'audience-io-failures' }),
    );
    expect(TopicArn).to.equal(resource('snsTopic', 'failures'));
    const sqs = new SQSClient(config);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: uniqueId('failures-inbox') }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await new SNSClient(config).send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: Attributes?.QueueArn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    // WHEN the scoring job refuses the item
    const execution = await runWorkflowLocally(
      failureNotificationWorkflow,
      { itemId: 'item-9', fail: true },
      fixture.run,
    );
    // THEN the execution failed after notifying the topic with the step, the error and the cause
    expect(execution).to.include({ status: 'FAILED', error: 'ScoringFailed' });
    expect(execution.history.map((row) => row.state)).to.include('NotifyScoreFailed');
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 2 }));
    expect(Messages).to.have.length(1);
    expect(JSON.parse(Messages[0]?.Body ?? '{}')).to.deep.include({
      step: 'Score',
      itemId: 'item-9',
      error: 'ItemRejected',
    });
  });
});
