import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { runtimeConfig } from '../jobs/runtime/config.ts';
import { kafkaClient } from '../jobs/runtime/kafka-client.ts';
import { ensureTopic, withAdmin } from '../jobs/runtime/topics.ts';
import { ensureLocalServices, type LocalServices, localServicesStatus } from '../local/services/index.ts';
import { useLocalServices } from './support/services.ts';

describe('local services', () => {
  let services: LocalServices;

  before(async function () {
    // The first start resolves the Kafka jars with Maven and installs moto with pip: minutes, once.
    this.timeout(600_000);
    services = await useLocalServices();
  });

  it('exports where the services are to the environment of child processes', () => {
    expect(process.env.KAFKA_BROKERS).to.equal(services.kafkaBrokers.join(','));
    expect(process.env.AWS_ENDPOINT_URL).to.equal(services.awsEndpoint);
    expect(process.env.AWS_REGION).to.equal(services.region);
    expect(process.env.AWS_ACCESS_KEY_ID).to.be.a('string').and.not.equal('');
    expect(process.env.AWS_SECRET_ACCESS_KEY).to.be.a('string').and.not.equal('');
  });

  it('reports both services as answering', async () => {
    const statuses = await localServicesStatus();
    expect(statuses.map((status) => [status.name, status.answering])).to.deep.equal([
      ['kafka', true],
      ['moto', true],
    ]);
  });

  it('reuses the running services on a second call, starting nothing', async function () {
    this.timeout(60_000);
    const again = await ensureLocalServices();
    expect(again.started).to.deep.equal([]);
    expect(again.kafkaBrokers).to.deep.equal(services.kafkaBrokers);
    expect(again.awsEndpoint).to.equal(services.awsEndpoint);
  });

  it('produces and consumes a record, committed by a transactional producer', async function () {
    this.timeout(60_000);
    const kafka = kafkaClient(runtimeConfig({ KAFKA_BROKERS: services.kafkaBrokers.join(',') }), 'test');
    const topic = `local-services-${randomUUID()}`;
    await withAdmin(kafka, (admin) => ensureTopic(admin, topic, 3));

    const producer = kafka.kafkajs.producer({ 'transactional.id': `local-services-test-${randomUUID()}` });
    await producer.connect();
    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [{ key: 'user-1', value: 'aborted' }] });
    await aborted.abort();
    const committed = await producer.transaction();
    await committed.send({ topic, messages: [{ key: 'user-1', value: 'committed' }] });
    await committed.commit();
    await producer.disconnect();

    // read_committed: the aborted record must stay invisible, the committed one must arrive.
    const consumer = kafka.kafkajs.consumer({
      'group.id': `local-services-test-${randomUUID()}`,
      'isolation.level': 'read_committed',
      'auto.offset.reset': 'earliest',
    });
    await consumer.connect();
    await consumer.subscribe({ topic });
    const received = await new Promise<string[]>((resolveReceived, reject) => {
      const values: string[] = [];
      consumer
        .run({
          eachMessage: async ({ message }) => {
            values.push(message.value?.toString() ?? '');
            if (values.includes('committed')) resolveReceived(values);
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    expect(received).to.deep.equal(['committed']);
  });

  it('puts and gets an S3 object', async () => {
    const s3 = new S3Client({
      endpoint: services.awsEndpoint,
      region: services.region,
      forcePathStyle: true,
    });
    const bucket = `local-services-${randomUUID()}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'imports/a.csv', Body: 'id,email\n1,a@example.com\n' }),
    );
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'imports/a.csv' }));
    expect(await object.Body?.transformToString()).to.equal('id,email\n1,a@example.com\n');
  });

  it('writes and reads a DynamoDB item', async () => {
    const dynamo = new DynamoDBClient({ endpoint: services.awsEndpoint, region: services.region });
    const table = `local-services-${randomUUID()}`;
    await dynamo.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'jobId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await dynamo.send(
      new PutItemCommand({ TableName: table, Item: { jobId: { S: 'job-1' }, state: { S: 'importing' } } }),
    );
    const { Item } = await dynamo.send(
      new GetItemCommand({ TableName: table, Key: { jobId: { S: 'job-1' } } }),
    );
    expect(Item).to.deep.equal({ jobId: { S: 'job-1' }, state: { S: 'importing' } });
  });

  describe('with KAFKA_BROKERS and AWS_ENDPOINT_URL set', () => {
    let stateDir: string;

    beforeEach(async () => {
      stateDir = await mkdtemp(join(tmpdir(), 'local-services-'));
    });

    afterEach(async () => {
      await rm(stateDir, { recursive: true, force: true });
    });

    it('uses them as given and starts or installs nothing', async () => {
      // Addresses where nothing listens: a module that probed or started anything here would fail or differ.
      const env: NodeJS.ProcessEnv = {
        KAFKA_BROKERS: '127.0.0.1:1, 127.0.0.1:2',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:3',
        AWS_REGION: 'eu-west-1',
      };
      const external = await ensureLocalServices({ env, stateDir });
      expect(external).to.deep.equal({
        kafkaBrokers: ['127.0.0.1:1', '127.0.0.1:2'],
        awsEndpoint: 'http://127.0.0.1:3',
        region: 'eu-west-1',
        started: [],
      });
      expect(existsSync(join(stateDir, 'kafka'))).to.equal(false);
      expect(existsSync(join(stateDir, 'moto-venv'))).to.equal(false);
      expect(env.AWS_ACCESS_KEY_ID).to.equal('test');
    });

    it('starts nothing for the one service that is external', async function () {
      this.timeout(60_000);
      // Only Kafka external: moto is the one already running from the shared state folder.
      const { AWS_ENDPOINT_URL: _ours, ...inherited } = process.env;
      const env: NodeJS.ProcessEnv = { ...inherited, KAFKA_BROKERS: '127.0.0.1:1' };
      const mixed = await ensureLocalServices({ env });
      expect(mixed.kafkaBrokers).to.deep.equal(['127.0.0.1:1']);
      expect(mixed.awsEndpoint).to.equal(services.awsEndpoint);
      expect(mixed.started).to.deep.equal([]);
    });
  });
});
