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
import { CsvRows } from './csv-rows.ts';
import type { importAudience } from './job.ts';
import { type ImportSink, isFenced, openImportSink } from './kafka-sink.ts';
import { RejectsFile, rejectsKey } from './rejects-file.ts';
import { CsvFileError, type RowRejection, type ValidRow } from './row-rules.ts';
import { type ImportSource, openSourceObject } from './source-object.ts';

type Input = z.output<typeof importAudience.input>;
type Output = z.input<typeof importAudience.output>;

/** Largest record value produced; the broker's default limit is 1 MB per record batch. */
const MAX_RECORD_BYTES = 900 * 1024;
/** Room in a record for what is not the row: JSON keys, the two ids (escaped), the key and headers. */
const RECORD_FIXED_BYTES = 4096;
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

async function importOnce(
  input: Input,
  deps: JobDeps,
  admin: KafkaJS.Admin,
  startedAt: number,
): Promise<Counts & { startOffsets: number[] | undefined }> {
  const { importId } = input;
  const topic = deps.config.audienceTopic;
  const source = `s3://${input.s3Bucket}/${input.s3Key}`;
  // Opening initialises the transactional id: it fences an older run and aborts its open transaction.
  const sink: ImportSink = await openImportSink(deps.kafka, importId, topic);
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
            const queued = sink.produce(item.userId, userRecordValue(item, input));
            if (queued) await queued;
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

/** A resumed run re-reads the rows before the checkpoint; they must count the same, or the file is not the same. */
function verifyReplay(source: string, counts: Counts, checkpoint: ImportCheckpoint): void {
  if (counts.rowsProduced !== checkpoint.rowsProduced || counts.rowsRejected !== checkpoint.rowsRejected) {
    throw new JobError(
      'InvalidInput',
      `${source}: rows 1-${checkpoint.rowsRead} do not count as in the checkpoint (produced ${counts.rowsProduced} vs ${checkpoint.rowsProduced}, rejected ${counts.rowsRejected} vs ${checkpoint.rowsRejected})`,
    );
  }
}

/** The Kafka record value of a valid row. */
function userRecordValue(row: ValidRow, input: Input): Buffer {
  const value: UserRecord = {
    type: 'user',
    userSegmentationId: input.userSegmentationId,
    userId: row.userId,
    attributes: row.attributes,
    importId: input.importId,
  };
  return Buffer.from(JSON.stringify(value));
}

/**
 * Why a row cannot be one Kafka record (JSON escaping can grow a 256 KiB row past what one record may hold), or
 * undefined; only rows long enough to pass the limit with every byte escaped (6 bytes at most) are encoded here.
 */
function recordSizeProblem(row: ValidRow, input: Input): string | undefined {
  if (row.rawBytes * 6 + RECORD_FIXED_BYTES <= MAX_RECORD_BYTES) return undefined;
  const size = userRecordValue(row, input).length + Buffer.byteLength(row.userId) + 64;
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
