import type { Readable } from 'node:stream';
import { GetObjectCommand, NoSuchKey, S3ServiceException } from '@aws-sdk/client-s3';
import { type Admin, type Message, Partitioners, type Producer, type Transaction } from 'kafkajs';
import type { z } from 'zod';
import { recordJobCounts } from '../audience-status/table.ts';
import { RECORD_TYPE_HEADER, type UserRecord } from '../runtime/audience-records.ts';
import type { JobDeps } from '../runtime/clients.ts';
import { JobError } from '../runtime/job-error.ts';
import { ensureTopic } from '../runtime/topics.ts';
import {
  type ImportCheckpoint,
  importTransactionalId,
  readCheckpoint,
  sendCheckpoint,
} from './checkpoint.ts';
import {
  ByteCounter,
  CsvFileError,
  type CsvHeader,
  csvRecordStream,
  isRejection,
  parseHeader,
  type RowRejection,
  rawText,
  UnparsableRecord,
  validateRecord,
} from './csv-records.ts';
import type { importAudience } from './job.ts';
import { RejectsFile, rejectsKey } from './rejects-file.ts';

type Input = z.output<typeof importAudience.input>;
type Output = z.input<typeof importAudience.output>;

/** Bytes per partition in one produce request, on average (the broker takes at most 1 MB per partition batch). */
const BATCH_BYTES_PER_PARTITION = 512 * 1024;
/** kafkajs groups a request's messages by partition in time quadratic in their count: keep requests small. */
const MAX_BATCH_MESSAGES = 500;
/** Largest record value produced; the broker's default limit is 1 MB per record batch. */
const MAX_RECORD_BYTES = 900 * 1024;
/** Runs of one import inside one process after a Kafka failure (each resumes from the checkpoint). */
const MAX_ATTEMPTS = 5;
/** Rejection reasons quoted in the TooManyRejectedRows message. */
const QUOTED_REASONS = 5;

const USER_HEADERS = { [RECORD_TYPE_HEADER]: Buffer.from('user') };

/** Counts of one run, reconciled: rowsRead = rowsProduced + rowsRejected. */
interface Counts {
  rowsRead: number;
  rowsProduced: number;
  rowsRejected: number;
  bytesRead: number;
}

/**
 * Imports a CSV object into the audience topic. Rows go out in Kafka transactions of `importChunkRows` rows,
 * each committing a checkpoint with it; a second run of the same import (a Step Functions retry, or an
 * in-process retry after a Kafka failure) fences the first and resumes after the last committed chunk.
 */
export async function run(input: Input, deps: JobDeps): Promise<Output> {
  const startedAt = deps.now();
  const admin = deps.kafka.admin();
  await admin.connect();
  try {
    await ensureTopic(admin, deps.config.audienceTopic, deps.config.audienceTopicPartitions);
    for (let attempt = 1; ; attempt++) {
      try {
        const counts = await importOnce(input, deps, admin, startedAt);
        await recordJobCounts(
          deps.dynamodb,
          deps.config.statusTable,
          input.importId,
          { ...counts },
          new Date(deps.now()),
        );
        const summary = { ...counts, seconds: (deps.now() - startedAt) / 1000 };
        deps.log.info('import-complete', { importId: input.importId, ...summary });
        return summary;
      } catch (error) {
        if (!isResumable(error) || attempt >= MAX_ATTEMPTS) throw error;
        deps.log.warn('import-resuming', { importId: input.importId, attempt, error: describe(error) });
        await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** Kafka failures (broker gone, coordinator moved) are resumed from the checkpoint; a fenced run gives way. */
function isResumable(error: unknown): boolean {
  if (!(error instanceof Error) || !error.name.startsWith('KafkaJS')) return false;
  const type = (error as { type?: string }).type;
  return (
    type !== 'PRODUCER_FENCED' &&
    type !== 'INVALID_PRODUCER_EPOCH' &&
    type !== 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED'
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function openSource(
  deps: JobDeps,
  input: Input,
  etag: string | undefined,
): Promise<{ body: Readable; etag: string; size: number | undefined }> {
  const source = `s3://${input.s3Bucket}/${input.s3Key}`;
  try {
    const object = await deps.s3.send(
      new GetObjectCommand({ Bucket: input.s3Bucket, Key: input.s3Key, ...(etag ? { IfMatch: etag } : {}) }),
    );
    return { body: object.Body as Readable, etag: object.ETag ?? '', size: object.ContentLength };
  } catch (error) {
    if (
      error instanceof NoSuchKey ||
      (error instanceof S3ServiceException && error.name === 'NoSuchBucket')
    ) {
      throw new JobError('SourceNotFound', `${source} does not exist (${error.name})`, { cause: error });
    }
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 412) {
      throw new JobError(
        'InvalidInput',
        `${source} changed since an earlier run of import ${input.importId} (ETag was ${etag}); import it under a new import id`,
        { cause: error },
      );
    }
    throw error;
  }
}

async function importOnce(input: Input, deps: JobDeps, admin: Admin, startedAt: number): Promise<Counts> {
  const { importId, userSegmentationId } = input;
  const topic = deps.config.audienceTopic;
  const source = `s3://${input.s3Bucket}/${input.s3Key}`;
  // Keys spread evenly over partitions, so a request of N partitions × 512 KB keeps each partition's batch under 1 MB.
  const maxBatchBytes = BATCH_BYTES_PER_PARTITION * Math.min(deps.config.audienceTopicPartitions, 8);
  const producer = deps.kafka.producer({
    transactionalId: importTransactionalId(importId),
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: 120_000,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  // Connecting initialises the transactional id: it fences an older run and aborts its open transaction.
  await producer.connect();
  let transaction: Transaction | undefined;
  const counts: Counts = { rowsRead: 0, rowsProduced: 0, rowsRejected: 0, bytesRead: 0 };
  // What has streamed so far, for progress between chunk commits: bytes read of the object's size.
  // Bytes of the records parsed so far (read-ahead buffers excluded), for the estimate of the rows to come.
  let parsedBytes = 0;
  let streaming: { bytes: ByteCounter; size: number | undefined } | undefined;
  const progress = setInterval(
    () =>
      deps.log.info('import-progress', {
        importId,
        ...counts,
        ...(streaming
          ? liveProgress(counts.rowsRead, parsedBytes, streaming.bytes.bytes, streaming.size)
          : {}),
        seconds: (deps.now() - startedAt) / 1000,
      }),
    deps.config.progressIntervalMs,
  );
  progress.unref();
  try {
    const checkpoint = await readCheckpoint(admin, importId, topic);
    if (checkpoint?.complete) {
      deps.log.info('import-already-complete', { importId, ...checkpoint });
      return {
        rowsRead: checkpoint.rowsRead,
        rowsProduced: checkpoint.rowsProduced,
        rowsRejected: checkpoint.rowsRejected,
        bytesRead: (checkpoint as Partial<Counts>).bytesRead ?? 0,
      };
    }
    if (checkpoint) deps.log.info('import-resuming-from-checkpoint', { importId, ...checkpoint });
    const { body, etag, size } = await openSource(deps, input, checkpoint?.etag);
    const bytes = new ByteCounter();
    streaming = { bytes, size };
    const records = csvRecordStream();
    body.on('error', (error) => bytes.destroy(error));
    bytes.on('error', (error) => records.destroy(error));
    body.pipe(bytes).pipe(records);

    const rejects = new RejectsFile(deps.s3, input.s3Bucket, rejectsKey(importId));
    const firstRejections: RowRejection[] = [];
    const skipRows = checkpoint?.rowsRead ?? 0;
    const chunkRows = deps.config.importChunkRows;
    let header: CsvHeader | undefined;
    let batch: Message[] = [];
    let batchBytes = 0;
    let chunkCount = 0;
    let inflight: Promise<unknown> | undefined;
    transaction = await producer.transaction();

    // One produce request in flight while the next batch is parsed; errors surface at the next await.
    const flush = async () => {
      if (batch.length === 0) return;
      const messages = batch;
      batch = [];
      batchBytes = 0;
      if (inflight) await inflight;
      const sending = transaction!.send({ topic, acks: -1, messages });
      sending.catch(() => undefined);
      inflight = sending;
    };
    const commitChunk = async (complete: boolean) => {
      await flush();
      if (inflight) await inflight;
      inflight = undefined;
      const next: ImportCheckpoint & { bytesRead: number } = { ...counts, etag, complete };
      await sendCheckpoint(transaction!, importId, topic, next);
      await transaction!.commit();
      transaction = complete ? undefined : await producer.transaction();
      chunkCount = 0;
      deps.log.info('import-chunk-committed', { importId, ...counts });
    };

    const reject = async (rejection: RowRejection) => {
      counts.rowsRejected++;
      if (firstRejections.length < QUOTED_REASONS) firstRejections.push(rejection);
      await rejects.write(rejection);
      if (counts.rowsRejected > input.maxRejectedRows) {
        counts.bytesRead = bytes.bytes;
        await rejects.close();
        throw tooManyRejected(source, rejects.url, counts, input.maxRejectedRows, firstRejections);
      }
    };

    try {
      for await (const item of records as AsyncIterable<unknown>) {
        if (!header) {
          if (item instanceof UnparsableRecord) throw new CsvFileError(`header row: ${item.reason}`);
          header = parseHeader(item as Parameters<typeof parseHeader>[0]);
          continue;
        }
        // One byte for the line ending: the raw text holds the record without it.
        parsedBytes += (item as { raw: string }).raw.length + 1;
        const row = item instanceof UnparsableRecord ? item : validateRecord(header, item as never);
        counts.rowsRead++;
        if (row instanceof UnparsableRecord || isRejection(row)) {
          await reject(row instanceof UnparsableRecord ? { ...row, column: '' } : row);
        } else {
          const value: UserRecord = {
            type: 'user',
            userSegmentationId,
            userId: row.userId,
            attributes: row.attributes,
            importId,
          };
          const message = { key: row.userId, value: JSON.stringify(value), headers: USER_HEADERS };
          const size = Buffer.byteLength(message.value) + Buffer.byteLength(message.key) + 64;
          if (size > MAX_RECORD_BYTES) {
            // JSON escaping can grow a 256 KiB row past what one Kafka record may hold.
            await reject(recordTooLarge(item as { line: number; raw: string }, size));
          } else {
            counts.rowsProduced++;
            // Rows up to the checkpoint are already committed: validated again (rebuilding the rejects file), not produced.
            if (counts.rowsRead > skipRows) {
              if (batchBytes + size > maxBatchBytes || batch.length >= MAX_BATCH_MESSAGES) await flush();
              batch.push(message);
              batchBytes += size;
            }
          }
        }
        if (counts.rowsRead > skipRows && ++chunkCount >= chunkRows) {
          counts.bytesRead = bytes.bytes;
          await commitChunk(false);
        }
        if (counts.rowsRead === skipRows && checkpoint) verifyReplay(source, counts, checkpoint);
      }
    } catch (error) {
      if (error instanceof CsvFileError)
        throw new JobError('InvalidInput', `${source}: ${error.message}`, { cause: error });
      throw error;
    }
    if (!header)
      throw new JobError(
        'InvalidInput',
        `${source}: file is empty; a header row with a user_id column is required`,
      );
    if (counts.rowsRead < skipRows) {
      throw new JobError(
        'InvalidInput',
        `${source}: has ${counts.rowsRead} rows, fewer than the ${skipRows} already imported`,
      );
    }
    if (counts.rowsRead === 0)
      deps.log.warn('import-header-only', { importId, source, columns: header.columns });
    counts.bytesRead = bytes.bytes;
    // The rejects file is complete before the final commit, so a completed checkpoint implies a complete file.
    await rejects.close();
    await commitChunk(true);
    return counts;
  } catch (error) {
    if (transaction) await transaction.abort().catch(() => undefined);
    throw error;
  } finally {
    clearInterval(progress);
    await disconnect(producer);
  }
}

/**
 * Progress between commits: bytes streamed, the object's size and the rows it should hold at the bytes per row
 * parsed so far (`rowsTotal`, an estimate), so a progress bar can show how far the import is.
 */
function liveProgress(
  rowsRead: number,
  parsedBytes: number,
  bytesRead: number,
  bytesTotal: number | undefined,
) {
  const rowsTotal =
    bytesTotal && parsedBytes > 0 && rowsRead > 0
      ? Math.round((bytesTotal * rowsRead) / parsedBytes)
      : undefined;
  return {
    bytesRead,
    ...(bytesTotal === undefined ? {} : { bytesTotal }),
    ...(rowsTotal ? { rowsTotal } : {}),
  };
}

async function disconnect(producer: Producer): Promise<void> {
  await producer.disconnect().catch(() => undefined);
}

/** A resumed run re-reads the rows before the checkpoint; they must count the same, or the file is not the same. */
function verifyReplay(source: string, counts: Counts, checkpoint: ImportCheckpoint): void {
  if (counts.rowsProduced !== checkpoint.rowsProduced || counts.rowsRejected !== checkpoint.rowsRejected) {
    throw new JobError(
      'InvalidInput',
      `${source}: rows 1-${checkpoint.rowsRead} do not count as in the checkpoint (produced ${counts.rowsProduced} vs ${checkpoint.rowsProduced}, rejected ${counts.rowsRejected} vs ${checkpoint.rowsRejected})`,
    );
  }
}

function recordTooLarge(record: { line: number; raw: string }, size: number): RowRejection {
  return {
    line: record.line,
    column: '',
    reason: `row encodes to a ${size}-byte Kafka record, more than ${MAX_RECORD_BYTES}`,
    raw: rawText(record.raw),
  };
}

function tooManyRejected(
  source: string,
  rejectsUrl: string,
  counts: Counts,
  maxRejectedRows: number,
  first: RowRejection[],
): JobError {
  const reasons = first
    .map((r) => `line ${r.line}${r.column ? ` (${r.column})` : ''}: ${r.reason}`)
    .join('; ');
  const error = new JobError(
    'TooManyRejectedRows',
    `${source}: ${counts.rowsRejected} rows rejected after ${counts.rowsRead} rows read, more than maxRejectedRows=${maxRejectedRows}; see ${rejectsUrl}; first reasons: ${reasons}`,
  );
  return Object.assign(error, { counts });
}
