import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { z } from 'zod';
import { recordJobCounts } from '../audience-status/table.ts';
import { RejectsFile, rejectsKey } from '../import-audience/rejects-file.ts';
import type { JobDeps } from '../runtime/clients.ts';
import { JobError } from '../runtime/job-error.ts';
import { recordStartOffsets } from '../runtime/start-offsets.ts';
import { findRepeatedFingerprints, type RepeatedFingerprint } from './fingerprint-merge.ts';
import type { closeShardedImport } from './job.ts';
import { mergeRejectsParts } from './rejects-merge.ts';
import { boundaryProblems, earliestStartOffsets, type FinishedShard, readShards } from './shard-items.ts';

type Input = z.output<typeof closeShardedImport.input>;
type Output = z.input<typeof closeShardedImport.output>;

/** Repeated user ids quoted in the reason and the log. */
const QUOTED_REPEATS = 5;

/**
 * Closes a sharded import. Reads every shard's summary and checks that the shards tile the object; merges their
 * fingerprint files to find user ids in two shards. A misplaced boundary or an id in two shards asks for an
 * unsharded run (whose own start offsets skip the shards' records); too many rejections in all fail the import;
 * otherwise the import's rejects file, start offsets and counts are written as an unsharded import writes them.
 */
export async function run(input: Input, deps: JobDeps): Promise<Output> {
  const { importId, s3Bucket: bucket } = input;
  const table = deps.config.statusTable;
  const shards = await readShards(deps.dynamodb, table, importId, input.shardCount);
  const mismatched = boundaryProblems(shards, input.objectBytes);
  if (mismatched.length > 0) {
    // A shard that started inside a record read a range of some other shape: its counts prove nothing.
    return rerun(
      deps,
      importId,
      `shard boundaries do not line up: ${mismatched.join('; ')}`,
      0,
      mismatched.length,
    );
  }
  const finished = shards as FinishedShard[];
  const lineOffsets = finished.map((_, k) => finished.slice(0, k).reduce((sum, s) => sum + s.lineCount, 0));
  const repeated: RepeatedFingerprint[] = [];
  const duplicates = await findRepeatedFingerprints(
    finished.map((shard) => objectChunks(deps, bucket, shard.fingerprintsKey)),
    (r) => {
      if (repeated.length < QUOTED_REPEATS) repeated.push(r);
    },
  );
  const totals = {
    rowsRead: sum(finished, 'rowsRead'),
    rowsProduced: sum(finished, 'rowsProduced'),
    rowsRejected: sum(finished, 'rowsRejected'),
    bytesRead: sum(finished, 'bytesRead'),
  };
  const rejectedInAll = totals.rowsRejected + duplicates;
  const rejects = new RejectsFile(deps.s3, bucket, rejectsKey(importId));
  const mergeRejects = async () => {
    const parts = finished.flatMap((shard, k) =>
      shard.rejectsPartKey ? [{ key: shard.rejectsPartKey, lineOffset: lineOffsets[k]! }] : [],
    );
    const merged = await mergeRejectsParts(deps.s3, bucket, parts, rejects);
    if (merged !== totals.rowsRejected) {
      throw new Error(
        `import ${importId}: the shards' rejects parts hold ${merged} rows, their summaries count ${totals.rowsRejected}`,
      );
    }
  };
  if (rejectedInAll > input.maxRejectedRows) {
    await mergeRejects();
    const error = new JobError(
      'TooManyRejectedRows',
      `s3://${bucket}/${input.s3Key}: ${totals.rowsRejected} rows rejected by the shards and ${duplicates} user ids repeated across shards, ${rejectedInAll} in all after ${totals.rowsRead} rows read, more than maxRejectedRows=${input.maxRejectedRows}; see ${rejects.url}`,
    );
    throw Object.assign(error, { counts: { ...totals, rowsRejected: rejectedInAll } });
  }
  if (duplicates > 0) {
    const where = repeated.map((r) => describeRepeat(r, lineOffsets)).join('; ');
    deps.log.warn('import-ids-across-shards', { importId, duplicates, first: where });
    // The unsharded run writes the rejects file itself, rejecting the repeats as "duplicate of line N".
    return rerun(
      deps,
      importId,
      `${duplicates} user ids appear in more than one shard: ${where}`,
      duplicates,
      0,
    );
  }
  await mergeRejects();
  const startOffsets = earliestStartOffsets(finished);
  // Start offsets first: counts in the item mean the import finished (send-end-marker relies on it).
  if (startOffsets) await recordStartOffsets(deps.dynamodb, table, importId, startOffsets);
  await recordJobCounts(deps.dynamodb, table, importId, { ...totals }, new Date(deps.now()));
  deps.log.info('sharded-import-closed', { importId, shards: finished.length, ...totals });
  return {
    outcome: 'complete',
    ...totals,
    shards: finished.map(
      ({ startOffsets: _s, fingerprintsKey: _f, rejectsPartKey: _r, ...summary }) => summary,
    ),
  };
}

function rerun(
  deps: JobDeps,
  importId: string,
  reason: string,
  duplicatesAcrossShards: number,
  mismatchedBoundaries: number,
): Output {
  deps.log.warn('sharded-import-rerun-unsharded', { importId, reason });
  return { outcome: 'rerun-unsharded', reason, duplicatesAcrossShards, mismatchedBoundaries };
}

/** "line 12 (shard 0), line 5,000,123 (shard 3)": where one repeated id is, in file lines. */
function describeRepeat(repeat: RepeatedFingerprint, lineOffsets: readonly number[]): string {
  return repeat.occurrences
    .map(
      ({ source, line }) => `line ${(line + lineOffsets[source]!).toLocaleString('en-US')} (shard ${source})`,
    )
    .join(', ');
}

function sum(
  shards: readonly FinishedShard[],
  field: 'rowsRead' | 'rowsProduced' | 'rowsRejected' | 'bytesRead',
) {
  return shards.reduce((total, shard) => total + shard[field], 0);
}

/** An object's bytes as they download. */
async function* objectChunks(deps: JobDeps, bucket: string, key: string): AsyncGenerator<Uint8Array> {
  const object = await deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  yield* object.Body as AsyncIterable<Uint8Array>;
}
