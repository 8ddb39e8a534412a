import type { Readable } from 'node:stream';
import { GetObjectCommand, NoSuchKey, S3ServiceException } from '@aws-sdk/client-s3';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { z } from 'zod';
import { recordJobCounts } from '../audience-status/table.ts';
import type { UserRecord } from '../runtime/audience-records.ts';
import type { JobDeps } from '../runtime/clients.ts';
import { JobError } from '../runtime/job-error.ts';
import { KafkaError } from '../runtime/kafka-client.ts';
import { recordStartOffsets } from '../runtime/start-offsets.ts';
import { endOffsets, ensureTopic } from '../runtime/topics.ts';
import type { ImportCheckpoint } from './checkpoint.ts';
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
import { type ImportSink, isFenced, openImportSink } from './kafka-sink.ts';
import { RejectsFile, rejectsKey } from './rejects-file.ts';

type Input = z.output<typeof importAudience.input>;
type Output = z.input<typeof importAudience.output>;

/** Largest record value produced; the broker's default limit is 1 MB per record batch. */
const MAX_RECORD_BYTES = 900 * 1024;
/** Runs of one import inside one process after a Kafka failure (each resumes from the checkpoint). */
const MAX_ATTEMPTS = 5;
/** Rejection reasons quoted in the TooManyRejectedRows message. */
const QUOTED_REASONS = 5;

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
  const admin = deps.kafka.kafkajs.admin();
  await admin.connect();
  try {
    await ensureTopic(admin, deps.config.audienceTopic, deps.config.audienceTopicPartitions);
    for (let attempt = 1; ; attempt++) {
      try {
        const { startOffsets, ...counts } = await importOnce(input, deps, admin, startedAt);
        // Start offsets first: counts in the item mean the import finished (send-end-marker relies on it).
        if (startOffsets)
          await recordStartOffsets(deps.dynamodb, deps.config.statusTable, input.importId, startOffsets);
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
  if (error instanceof KafkaError) return !isFenced(error);
  // The KafkaJS-compatible admin's errors (topic and end-offset lookups).
  return error instanceof Error && error.name.startsWith('KafkaJS');
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

async function importOnce(
  input: Input,
  deps: JobDeps,
  admin: KafkaJS.Admin,
  startedAt: number,
): Promise<Counts & { startOffsets: number[] | undefined }> {
  const { importId, userSegmentationId } = input;
  const topic = deps.config.audienceTopic;
  const source = `s3://${input.s3Bucket}/${input.s3Key}`;
  // Opening initialises the transactional id: it fences an older run and aborts its open transaction.
  const sink: ImportSink = await openImportSink(deps.kafka, importId, topic);
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
    const checkpoint = await sink.readCheckpoint();
    if (checkpoint?.complete) {
      deps.log.info('import-already-complete', { importId, ...checkpoint });
      return {
        rowsRead: checkpoint.rowsRead,
        rowsProduced: checkpoint.rowsProduced,
        rowsRejected: checkpoint.rowsRejected,
        bytesRead: checkpoint.bytesRead ?? 0,
        startOffsets: checkpoint.startOffsets,
      };
    }
    if (checkpoint) deps.log.info('import-resuming-from-checkpoint', { importId, ...checkpoint });
    // Taken once, after the older run was fenced and before this one produced: every record of the import lies
    // at or after these offsets. A resumed run keeps the first run's.
    const startOffsets = checkpoint ? checkpoint.startOffsets : await endOffsets(admin, topic);
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
    let chunkCount = 0;
    const commitChunk = async (complete: boolean) => {
      const next: ImportCheckpoint = { ...counts, etag, complete, ...(startOffsets ? { startOffsets } : {}) };
      await sink.commit(next);
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
          const encoded = Buffer.from(JSON.stringify(value));
          const size = encoded.length + Buffer.byteLength(row.userId) + 64;
          if (size > MAX_RECORD_BYTES) {
            // JSON escaping can grow a 256 KiB row past what one Kafka record may hold.
            await reject(recordTooLarge(item as { line: number; raw: string }, size));
          } else {
            counts.rowsProduced++;
            // Rows up to the checkpoint are already committed: validated again (rebuilding the rejects file), not produced.
            if (counts.rowsRead > skipRows) {
              const queued = sink.produce(row.userId, encoded);
              if (queued) await queued;
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
    return { ...counts, startOffsets };
  } catch (error) {
    await sink.abort().catch(() => undefined);
    throw error;
  } finally {
    clearInterval(progress);
    await sink.close();
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
