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
import { CsvRows } from './csv-rows.ts';
import type { importAudience } from './job.ts';
import { RejectsFile, rejectsKey } from './rejects-file.ts';
import { CsvFileError, type RowRejection, type ValidRow } from './row-rules.ts';
import { type ImportSource, openSourceObject } from './source-object.ts';

type Input = z.output<typeof importAudience.input>;
type Output = z.input<typeof importAudience.output>;

/** Bytes per partition in one produce request, on average (the broker takes at most 1 MB per partition batch). */
const BATCH_BYTES_PER_PARTITION = 512 * 1024;
/** kafkajs groups a request's messages by partition in time quadratic in their count: keep requests small. */
const MAX_BATCH_MESSAGES = 500;
/** Largest record value produced; the broker's default limit is 1 MB per record batch. */
const MAX_RECORD_BYTES = 900 * 1024;
/** Room in a record for what is not the row: JSON keys, the two ids (escaped), the key and headers. */
const RECORD_FIXED_BYTES = 4096;
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

async function importOnce(input: Input, deps: JobDeps, admin: Admin, startedAt: number): Promise<Counts> {
  const { importId } = input;
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
  let streaming: { object: ImportSource; rows: CsvRows } | undefined;
  const progress = setInterval(
    () =>
      deps.log.info('import-progress', {
        importId,
        ...counts,
        ...(streaming ? liveProgress(counts.rowsRead, streaming.object, streaming.rows) : {}),
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
    const object = await openSourceObject(
      deps.s3,
      { bucket: input.s3Bucket, key: input.s3Key, importId },
      checkpoint?.etag,
    );
    const { etag } = object;
    const rows = await CsvRows.create({
      estimateRows: object.estimateRows,
      extraRule: (row) => recordSizeProblem(row, input),
    });
    streaming = { object, rows };

    const rejects = new RejectsFile(deps.s3, input.s3Bucket, rejectsKey(importId));
    const firstRejections: RowRejection[] = [];
    const skipRows = checkpoint?.rowsRead ?? 0;
    const chunkRows = deps.config.importChunkRows;
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
        counts.bytesRead = object.bytesRead();
        await rejects.close();
        throw tooManyRejected(source, rejects.url, counts, input.maxRejectedRows, firstRejections);
      }
    };

    try {
      for await (const item of rows.rows(object.chunks)) {
        counts.rowsRead++;
        if (item.kind === 'rejected') {
          await reject(item);
        } else {
          counts.rowsProduced++;
          // Rows up to the checkpoint are already committed: validated again (rebuilding the rejects file), not produced.
          if (counts.rowsRead > skipRows) {
            const message = userMessage(item, input);
            const size = messageBytes(message);
            if (batchBytes + size > maxBatchBytes || batch.length >= MAX_BATCH_MESSAGES) await flush();
            batch.push(message);
            batchBytes += size;
          }
        }
        if (counts.rowsRead > skipRows && ++chunkCount >= chunkRows) {
          counts.bytesRead = object.bytesRead();
          await commitChunk(false);
        }
        if (counts.rowsRead === skipRows && checkpoint) verifyReplay(source, counts, checkpoint);
      }
    } catch (error) {
      if (error instanceof CsvFileError)
        throw new JobError('InvalidInput', `${source}: ${error.message}`, { cause: error });
      throw error;
    } finally {
      object.destroy();
    }
    if (counts.rowsRead < skipRows) {
      throw new JobError(
        'InvalidInput',
        `${source}: has ${counts.rowsRead} rows, fewer than the ${skipRows} already imported`,
      );
    }
    if (counts.rowsRead === 0)
      deps.log.warn('import-header-only', { importId, source, columns: rows.header?.columns });
    counts.bytesRead = object.bytesRead();
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
 * Progress between commits: object bytes streamed, the object's size and the rows it should hold at the rate
 * read so far (`rowsTotal`, an estimate), so a progress bar can show how far the import is.
 */
function liveProgress(rowsRead: number, object: ImportSource, rows: CsvRows) {
  const rowsTotal = object.estimateRows(rowsRead, rows.bytesRead);
  return {
    bytesRead: object.bytesRead(),
    ...(object.size === undefined ? {} : { bytesTotal: object.size }),
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

/** The Kafka message of a valid row. */
function userMessage(row: ValidRow, input: Input): Message & { key: string; value: string } {
  const value: UserRecord = {
    type: 'user',
    userSegmentationId: input.userSegmentationId,
    userId: row.userId,
    attributes: row.attributes,
    importId: input.importId,
  };
  return { key: row.userId, value: JSON.stringify(value), headers: USER_HEADERS };
}

/** A message's bytes on the wire, roughly: key, value and record overhead. */
function messageBytes(message: { key: string; value: string }): number {
  return Buffer.byteLength(message.value) + Buffer.byteLength(message.key) + 64;
}

/**
 * Why a row cannot be one Kafka record (JSON escaping can grow a 256 KiB row past what one record may hold), or
 * undefined; only rows long enough to pass the limit with every byte escaped (6 bytes at most) are encoded here.
 */
function recordSizeProblem(row: ValidRow, input: Input): string | undefined {
  if (row.rawBytes * 6 + RECORD_FIXED_BYTES <= MAX_RECORD_BYTES) return undefined;
  const size = messageBytes(userMessage(row, input));
  return size > MAX_RECORD_BYTES
    ? `row encodes to a ${size}-byte Kafka record, more than ${MAX_RECORD_BYTES}`
    : undefined;
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
