import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { z } from 'zod';
import type { JobDeps } from '../runtime/clients.ts';
import { JobError } from '../runtime/job-error.ts';
import { endOffsets } from '../runtime/topics.ts';
import type { ImportCheckpoint } from './checkpoint.ts';
import {
  type ImportReading,
  type ReadExtent,
  ImportReading as Reading,
  type ShardRange,
} from './import-reading.ts';
import type { importAudience } from './job.ts';
import { openImportSink } from './kafka-sink.ts';
import { RejectsFile, rejectsKey } from './rejects-file.ts';
import { CsvFileError, type RowRejection } from './row-rules.ts';
import { shardNames } from './shard-summary.ts';

type Input = z.output<typeof importAudience.input>;

/** Time a Lambda run keeps in hand: it stops reading and commits what it read when less is left. */
export const LAMBDA_GUARD_MS = 60_000;
/** Rejection reasons quoted in the TooManyRejectedRows message. */
const QUOTED_REASONS = 5;

/** Counts of one run, reconciled: rowsRead = rowsProduced + rowsRejected. */
export interface Counts {
  rowsRead: number;
  rowsProduced: number;
  rowsRejected: number;
  bytesRead: number;
}

/** What one run of an import (or of one shard of it) did. */
export interface ImportResult {
  readonly counts: Counts;
  readonly startOffsets: number[] | undefined;
  /** Shard mode: where its records lie. */
  readonly extent: ReadExtent | undefined;
}

/**
 * One run of an import or of one shard: fences an older run, reads the checkpoint, reads the object (or the shard's
 * range) and produces its rows in transactions that each commit a checkpoint, rejects the rest, and commits last
 * once the rejects (and a shard's fingerprints) are written. Rows up to the checkpoint are read again but not
 * produced.
 */
export async function importOnce(
  input: Input,
  shard: ShardRange | undefined,
  deps: JobDeps,
  admin: KafkaJS.Admin,
  startedAt: number,
): Promise<ImportResult> {
  const { importId } = input;
  const topic = deps.config.audienceTopic;
  const source = `s3://${input.s3Bucket}/${input.s3Key}`;
  const runId = shard ? shardNames.runId(importId, shard.shardIndex) : importId;
  // Opening initialises the transactional id: it fences an older run and aborts its open transaction.
  const sink = await openImportSink(deps.kafka, runId, topic);
  const counts: Counts = { rowsRead: 0, rowsProduced: 0, rowsRejected: 0, bytesRead: 0 };
  let reading: ImportReading | undefined;
  const progress = setInterval(
    () =>
      deps.log.info('import-progress', {
        importId,
        ...(shard ? { shardIndex: shard.shardIndex } : {}),
        ...counts,
        ...(reading ? liveProgress(reading) : {}),
        seconds: (deps.now() - startedAt) / 1000,
      }),
    deps.config.progressIntervalMs,
  );
  progress.unref();
  try {
    const checkpoint = await sink.readCheckpoint();
    if (checkpoint?.complete) {
      deps.log.info('import-already-complete', { importId, runId, ...checkpoint });
      const { rowsRead, rowsProduced, rowsRejected, bytesRead = 0, startOffsets, extent } = checkpoint;
      return { counts: { rowsRead, rowsProduced, rowsRejected, bytesRead }, startOffsets, extent };
    }
    if (checkpoint) deps.log.info('import-resuming-from-checkpoint', { importId, runId, ...checkpoint });
    // Taken once, after the older run was fenced and before this one produced: every record of the import lies
    // at or after these offsets. A resumed run keeps the first run's.
    const startOffsets = checkpoint ? checkpoint.startOffsets : await endOffsets(admin, topic);
    try {
      reading = await Reading.open(deps.s3, {
        bucket: input.s3Bucket,
        key: input.s3Key,
        importId,
        userSegmentationId: input.userSegmentationId,
        etag: checkpoint?.etag ?? input.sourceEtag,
        ...(shard ? { shard } : {}),
        config: deps.config,
      });
    } catch (error) {
      throw asJobError(error, source);
    }
    const { etag } = reading.object;
    const rejects = new RejectsFile(
      deps.s3,
      input.s3Bucket,
      shard ? shardNames.rejectsKey(importId, shard.shardIndex) : rejectsKey(importId),
    );
    const firstRejections: RowRejection[] = [];
    const skipRows = checkpoint?.rowsRead ?? 0;
    const chunkRows = deps.config.importChunkRows;
    let chunkCount = 0;
    const commit = async (complete: boolean, extent?: ReadExtent) => {
      counts.bytesRead = reading!.bytesRead();
      const next: ImportCheckpoint = {
        ...counts,
        etag,
        complete,
        startOffsets,
        ...(extent ? { extent } : {}),
      };
      await sink.commit(next);
      chunkCount = 0;
      deps.log.info('import-chunk-committed', { importId, runId, ...counts });
    };
    const reject = async (rejection: RowRejection) => {
      counts.rowsRejected++;
      if (firstRejections.length < QUOTED_REASONS) firstRejections.push(rejection);
      await rejects.write(rejection);
      if (counts.rowsRejected > input.maxRejectedRows) {
        counts.bytesRead = reading!.bytesRead();
        await rejects.close();
        throw tooManyRejected(source, rejects.url, counts, input.maxRejectedRows, firstRejections);
      }
    };

    try {
      for await (const batch of reading.batches()) {
        for (let i = 0; i < batch.size; i++) {
          counts.rowsRead++;
          const rejection = batch.rejection(i);
          if (rejection) {
            await reject(rejection);
          } else {
            counts.rowsProduced++;
            // Rows up to the checkpoint are already committed: read again (rebuilding the rejects file and the
            // duplicate table), not produced.
            if (counts.rowsRead > skipRows) {
              const queued = sink.produce(batch.key(i), batch.value(i));
              if (queued) await queued;
            }
          }
          if (counts.rowsRead > skipRows && ++chunkCount >= chunkRows) await commit(false);
          if (counts.rowsRead === skipRows && checkpoint) verifyReplay(source, counts, checkpoint);
        }
        await deps.heartbeat();
        const left = deps.remainingMs?.();
        if (left !== undefined && left < LAMBDA_GUARD_MS) {
          if (counts.rowsRead > skipRows) await commit(false);
          throw new JobError(
            'ImportTimeBudgetExhausted',
            `${source}: ${Math.round(left / 1000)} s of the Lambda's run left after ${counts.rowsRead} rows; committed them, a Fargate run of the same input resumes after them`,
          );
        }
      }
    } catch (error) {
      throw asJobError(error, source);
    }
    if (counts.rowsRead < skipRows) {
      throw new JobError(
        'InvalidInput',
        `${source}: has ${counts.rowsRead} rows, fewer than the ${skipRows} already imported`,
      );
    }
    if (reading.blocksReread > 0)
      deps.log.info('import-blocks-reread', { importId, runId, blocks: reading.blocksReread });
    if (counts.rowsRead === 0)
      deps.log.warn('import-header-only', { importId, source, columns: reading.object.header.columns });
    // The rejects file (and a shard's fingerprints) are complete before the final commit, so a completed
    // checkpoint implies them.
    await rejects.close();
    const extent = shard ? reading.readExtent : undefined;
    if (shard) await writeFingerprints(deps, input, shard, reading);
    await commit(true, extent);
    return { counts, startOffsets, extent };
  } catch (error) {
    await sink.abort().catch(() => undefined);
    throw error;
  } finally {
    clearInterval(progress);
    await reading?.close();
    await sink.close();
  }
}

/** A file problem found while reading is the step's InvalidInput. */
function asJobError(error: unknown, source: string): unknown {
  return error instanceof CsvFileError
    ? new JobError('InvalidInput', `${source}: ${error.message}`, { cause: error })
    : error;
}

/** Uploads a shard's user id fingerprints, sorted, for the step that looks for ids in several shards. */
async function writeFingerprints(deps: JobDeps, input: Input, shard: ShardRange, reading: ImportReading) {
  const dir = await mkdtemp(join(tmpdir(), 'import-shard-'));
  try {
    const path = join(dir, 'ids');
    await reading.userIds.writeSortedFingerprints(path);
    await deps.s3.send(
      new PutObjectCommand({
        Bucket: input.s3Bucket,
        Key: shardNames.fingerprintsKey(input.importId, shard.shardIndex),
        Body: await readFile(path),
        ContentType: 'application/octet-stream',
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Progress between commits: object bytes read, the object's size and the rows it should hold at the rate read so
 * far (`rowsTotal`, an estimate), so a progress bar can show how far the import is.
 */
function liveProgress(reading: ImportReading) {
  const rowsTotal = reading.estimateRows();
  return {
    bytesRead: reading.bytesRead(),
    ...(reading.object.compressed ? {} : { bytesTotal: reading.object.size }),
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
