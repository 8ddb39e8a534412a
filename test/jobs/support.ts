import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { createStatusTable } from '../../jobs/audience-status/table.ts';
import { type JobDeps, jobDeps } from '../../jobs/runtime/clients.ts';
import { type RuntimeConfig, runtimeConfig } from '../../jobs/runtime/config.ts';
import { type JobLogger, memoryLogger } from '../../jobs/runtime/logger.ts';
import { useLocalServices } from '../support/services.ts';

/** A unique, readable id for one test's topic, table, bucket or job. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Job deps against the local services, with a topic and status table of the test's own. */
export async function localJobDeps(
  overrides: Partial<RuntimeConfig> = {},
  log: JobLogger = memoryLogger(),
): Promise<JobDeps> {
  await useLocalServices();
  const config: RuntimeConfig = {
    ...runtimeConfig(process.env),
    audienceTopic: uniqueId('audience-test'),
    statusTable: uniqueId('status-test'),
    audienceTopicPartitions: 3,
    progressIntervalMs: 1000,
    endMarkerTimeoutMs: 15_000,
    ...overrides,
  };
  const deps = jobDeps(config, log, 'test');
  await createStatusTable(deps.dynamodb, config.statusTable);
  return deps;
}

/** The environment a Fargate run of the job gets for these deps (runtime config + job input). */
export function fargateEnv(deps: JobDeps, input: Record<string, string>): Record<string, string | undefined> {
  return {
    ...process.env,
    AUDIENCE_TOPIC: deps.config.audienceTopic,
    STATUS_TABLE: deps.config.statusTable,
    AUDIENCE_TOPIC_PARTITIONS: String(deps.config.audienceTopicPartitions),
    IMPORT_CHUNK_ROWS: String(deps.config.importChunkRows),
    PROGRESS_INTERVAL_MS: String(deps.config.progressIntervalMs),
    END_MARKER_TIMEOUT_MS: String(deps.config.endMarkerTimeoutMs),
    ...input,
  };
}

/** Creates a bucket of the test's own. */
export async function createBucket(s3: S3Client): Promise<string> {
  const bucket = uniqueId('bucket');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** Puts an object. */
export async function putObject(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string | Buffer,
): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

/** Reads an object's bytes. */
export async function getObject(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

/** Reads an object as text, or undefined when it does not exist. */
export async function getObjectText(s3: S3Client, bucket: string, key: string): Promise<string | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await object.Body!.transformToString('utf8');
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}

/** A generated users CSV: header `user_id,email,plan` and `rows` rows with ids `user-<n>`. */
export function generateUsersCsv(rows: number, from = 0): string {
  const lines = ['user_id,email,plan'];
  for (let i = from; i < from + rows; i++)
    lines.push(`user-${i},user${i}@example.com,${i % 3 === 0 ? 'pro' : 'free'}`);
  return lines.join('\n') + '\n';
}

/** One consumed record, decoded. */
export interface ConsumedRecord {
  partition: number;
  offset: string;
  key: string | undefined;
  type: string | undefined;
  value: Record<string, unknown>;
}

/**
 * Reads a whole topic from the beginning with an independent read_committed consumer, until every partition's
 * high watermark is reached and nothing new came for `idleMs`.
 */
export async function readTopic(kafka: Kafka, topic: string, idleMs = 1500): Promise<ConsumedRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const records: ConsumedRecord[] = [];
  const consumer = kafka.consumer({
    groupId: uniqueId('test-reader'),
    readUncommitted: false,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let last = Date.now();
  const reached = new Map<number, bigint>();
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }: { partition: number; message: KafkaMessage }) => {
      last = Date.now();
      reached.set(partition, BigInt(message.offset));
      const type = message.headers?.['record-type']?.toString();
      records.push({
        partition,
        offset: message.offset,
        key: message.key?.toString(),
        type,
        value: JSON.parse(message.value!.toString()) as Record<string, unknown>,
      });
    },
  });
  const caughtUp = () =>
    ends.every(
      (end) => BigInt(end.high) === 0n || (reached.get(end.partition) ?? -1n) >= BigInt(end.high) - 2n,
    );
  const deadline = Date.now() + 60_000;
  while (
    Date.now() < deadline &&
    !(caughtUp() && Date.now() - last > idleMs) &&
    !(Date.now() - last > idleMs * 4)
  ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await consumer.disconnect();
  return records;
}
