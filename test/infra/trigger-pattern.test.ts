import { randomUUID } from 'node:crypto';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { importEventPattern } from '../../workflows/import-trigger.ts';
import { useLocalServices } from '../support/services.ts';
import { NOT_IMPORT_KEYS, shortKey } from './import-keys.ts';

const BUCKET = 'audience-bucket';
const IMPORT_KEYS = ['imports/segment-7/imp_2024-01.csv', 'imports/s/i.csv.gz'];

/**
 * The rule's pattern as deployed on the emulated EventBridge (moto), targeting a queue: every S3 "Object Created"
 * event is put on the bus, and the bucket and key of each event that reaches the queue are returned.
 */
async function deliveredInputs(keys: readonly { bucket: string; key: string }[]): Promise<unknown[]> {
  const { awsEndpoint, region } = await useLocalServices();
  const events = new EventBridgeClient({ region, endpoint: awsEndpoint });
  const sqs = new SQSClient({ region, endpoint: awsEndpoint });
  const name = `import-rule-${randomUUID().slice(0, 8)}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  try {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await events.send(
      new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(importEventPattern(BUCKET)) }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: name,
        // moto's input transformer does not quote string values as EventBridge does, so the queue gets the whole
        // event; import-trigger.test.ts applies the transformer.
        Targets: [{ Id: 'starter', Arn: Attributes!.QueueArn }],
      }),
    );
    for (const { bucket, key } of keys) {
      await events.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: 'aws.s3',
              DetailType: 'Object Created',
              Resources: [`arn:aws:s3:::${bucket}`],
              Detail: JSON.stringify({ version: '0', bucket: { name: bucket }, object: { key, size: 10 } }),
            },
          ],
        }),
      );
    }
    const delivered: unknown[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return delivered;
      for (const message of Messages) {
        const { detail } = JSON.parse(message.Body!) as {
          detail: { bucket: { name: string }; object: { key: string } };
        };
        delivered.push({ s3Bucket: detail.bucket.name, s3Key: detail.object.key });
      }
    }
  } finally {
    await events.send(new RemoveTargetsCommand({ Rule: name, Ids: ['starter'] }));
    await events.send(new DeleteRuleCommand({ Name: name }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    events.destroy();
    sqs.destroy();
  }
}

describe('infra: the import rule on the emulated EventBridge (moto)', function () {
  this.timeout(15 * 60_000);
  let delivered: unknown[];
  before(async () => {
    delivered = await deliveredInputs([
      ...[...IMPORT_KEYS, ...Object.keys(NOT_IMPORT_KEYS)].map((key) => ({ bucket: BUCKET, key })),
      { bucket: 'other-bucket', key: 'imports/s/other.csv' },
    ]);
  });

  for (const key of IMPORT_KEYS) {
    it(`delivers ${key}`, () => {
      expect(delivered).to.deep.include({ s3Bucket: BUCKET, s3Key: key });
    });
  }

  it('ignores objects of another bucket', () => {
    expect(delivered).not.to.deep.include({ s3Bucket: 'other-bucket', s3Key: 'imports/s/other.csv' });
  });

  for (const [key, stillMatches] of Object.entries(NOT_IMPORT_KEYS)) {
    it(`${stillMatches ? 'still delivers (the starter refuses it)' : 'never delivers'} ${shortKey(key)}`, () => {
      expect(delivered.some((input) => (input as { s3Key: string }).s3Key === key)).to.equal(stillMatches);
    });
  }

  it('delivers nothing else', () => {
    expect(delivered).to.have.length(
      IMPORT_KEYS.length + Object.values(NOT_IMPORT_KEYS).filter(Boolean).length,
    );
  });
});
