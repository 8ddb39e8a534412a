import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Message } from '@confluentinc/kafka-javascript';
import { createStatusTable } from '../../jobs/audience-status/table.ts';
import { ImportReading, type ShardRange } from '../../jobs/import-audience/import-reading.ts';
import { recordType } from '../../jobs/runtime/audience-records.ts';
import { type JobDeps, jobDeps } from '../../jobs/runtime/clients.ts';
import { type RuntimeConfig, runtimeConfig } from '../../jobs/runtime/config.ts';
import {
  connectNativeConsumer,
  disconnectNative,
  type KafkaClient,
  nativeCall,
} from '../../jobs/runtime/kafka-client.ts';
import { type JobLogger, memoryLogger } from '../../jobs/runtime/logger.ts';
import { endOffsets, withAdmin } from '../../jobs/runtime/topics.ts';
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
 * Reads a whole topic from the beginning with an independent read_committed consumer, up to the end offsets every
 * partition had when the call began (the end of committed data once no transaction is open).
 */
export async function readTopic(kafka: KafkaClient, topic: string): Promise<ConsumedRecord[]> {
  const ends = await withAdmin(kafka, (admin) => endOffsets(admin, topic));
  const consumer = await connectNativeConsumer(kafka, {
    'group.id': uniqueId('test-reader'),
    'enable.auto.commit': false,
    'isolation.level': 'read_committed',
    'enable.partition.eof': true,
  });
  consumer.setDefaultConsumeTimeout(100);
  const records: ConsumedRecord[] = [];
  const reached = new Set(ends.flatMap((end, partition) => (end === 0 ? [partition] : [])));
  // End of partition at or past the end offset: aborted records and transaction markers count as read.
  consumer.on('partition.eof', ({ partition, offset }) => {
    if (offset >= (ends[partition] ?? 0)) reached.add(partition);
  });
  try {
    consumer.assign(ends.map((_, partition) => ({ topic, partition, offset: 0 })));
    const deadline = Date.now() + 60_000;
    while (reached.size < ends.length && Date.now() < deadline) {
      const batch = await nativeCall<Message[]>('consume', (done) => consumer.consume(1000, done));
      for (const message of batch) {
        records.push({
          partition: message.partition,
          offset: String(message.offset),
          key: message.key?.toString(),
          type: recordType(message.headers),
          value: JSON.parse(message.value!.toString()) as Record<string, unknown>,
        });
      }
    }
  } finally {
    await disconnectNative(consumer);
  }
  return records;
}

/** Opens the import's reading of `s3://bucket/key` as the job does, in blocks of `blockBytes` on `workers` threads. */
export function openImportReading(
  deps: JobDeps,
  place: { bucket: string; key: string; shard?: ShardRange },
  blockBytes: number,
  workers: number,
): Promise<ImportReading> {
  return ImportReading.open(deps.s3, {
    ...place,
    importId: 'imp',
    userSegmentationId: 'seg',
    etag: undefined,
    config: { ...deps.config, importBlockBytes: blockBytes, importParserWorkers: workers },
  });
}
