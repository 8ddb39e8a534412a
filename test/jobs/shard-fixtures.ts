import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { recordJobCounts } from '../../jobs/audience-status/table.ts';
import { shardJobId } from '../../jobs/close-sharded-import/shard-items.ts';
import { RejectsFile } from '../../jobs/import-audience/rejects-file.ts';
import { SeenUserIds } from '../../jobs/import-audience/seen-user-ids.ts';
import type { JobDeps } from '../../jobs/runtime/clients.ts';
import { recordStartOffsets } from '../../jobs/runtime/start-offsets.ts';
import { putObject } from './support.ts';

/** What a test says one shard did; the rest of its status item follows from it. */
export interface ShardSpec {
  firstRecordStart: number;
  nextRecordStart: number;
  lineCount: number;
  /** User ids produced, each with its shard-local line. */
  ids: [userId: string, line: number][];
  rejected?: { line: number; column: string; reason: string; raw: string }[];
  startOffsets: number[];
}

/** Writes shard `k`'s files and status item as the import's shard mode does (contract of issue 9). */
export async function writeShardFiles(
  deps: JobDeps,
  bucket: string,
  scratch: string,
  importId: string,
  k: number,
  spec: ShardSpec,
): Promise<void> {
  const seen = await SeenUserIds.create();
  for (const [id, line] of spec.ids) expect(seen.firstLineOf(Buffer.from(id), line)).to.equal(0);
  const path = join(scratch, `${importId}-${k}.ids`);
  await seen.writeSortedFingerprints(path);
  const fingerprintsKey = `rejects/${importId}/shard-${k}.ids`;
  await putObject(deps.s3, bucket, fingerprintsKey, readFileSync(path));
  const rejected = spec.rejected ?? [];
  const rejectsPartKey = `rejects/${importId}/shard-${k}.csv`;
  if (rejected.length > 0) {
    const part = new RejectsFile(deps.s3, bucket, rejectsPartKey);
    for (const r of rejected) await part.write({ kind: 'rejected', ...r });
    await part.close();
  }
  const jobId = shardJobId(importId, k);
  await recordStartOffsets(deps.dynamodb, deps.config.statusTable, jobId, spec.startOffsets);
  await deps.dynamodb.send(
    new UpdateItemCommand({
      TableName: deps.config.statusTable,
      Key: { jobId: { S: jobId } },
      UpdateExpression: `SET fingerprintsKey = :f${rejected.length > 0 ? ', rejectsPartKey = :r' : ''}`,
      ExpressionAttributeValues: {
        ':f': { S: fingerprintsKey },
        ...(rejected.length > 0 ? { ':r': { S: rejectsPartKey } } : {}),
      },
    }),
  );
  const rowsProduced = spec.ids.length;
  await recordJobCounts(
    deps.dynamodb,
    deps.config.statusTable,
    jobId,
    {
      rowsRead: rowsProduced + rejected.length,
      rowsProduced,
      rowsRejected: rejected.length,
      bytesRead: spec.nextRecordStart - spec.firstRecordStart,
      firstRecordStart: spec.firstRecordStart,
      nextRecordStart: spec.nextRecordStart,
      lineCount: spec.lineCount,
    },
    new Date(),
  );
}

/**
 * Two shards that tile a 900-byte object, each rejecting `rowsPerShard` rows of ~1.1 KiB; returns the reduce
 * step's input for them.
 */
export async function writeRejectingShards(
  deps: JobDeps,
  bucket: string,
  scratch: string,
  spec: { importId: string; segment: string; rowsPerShard: number },
) {
  const { importId, segment, rowsPerShard } = spec;
  const rejected = (from: number) =>
    Array.from({ length: rowsPerShard }, (_, i) => ({
      line: i + 2,
      column: 'user_id',
      reason: 'empty user id',
      raw: `${from + i},${'z'.repeat(1100)}`,
    }));
  const shards: ShardSpec[] = [
    {
      firstRecordStart: 10,
      nextRecordStart: 500,
      lineCount: rowsPerShard + 1,
      ids: [['s1', rowsPerShard + 2]],
    },
    { firstRecordStart: 500, nextRecordStart: 900, lineCount: rowsPerShard + 1, ids: [['s2', 1]] },
  ].map((shard, k) => ({
    ...shard,
    ids: shard.ids as [string, number][],
    rejected: rejected(k * rowsPerShard),
    startOffsets: [k, 0],
  }));
  for (const [k, shard] of shards.entries()) await writeShardFiles(deps, bucket, scratch, importId, k, shard);
  return {
    importId,
    userSegmentationId: segment,
    s3Bucket: bucket,
    s3Key: `imports/${segment}/${importId}.csv`,
    shardCount: shards.length,
    maxRejectedRows: 10 * rowsPerShard,
    objectBytes: 900,
  };
}
