import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readStatusItem, type StatusItem } from '../audience-status/table.ts';
import { shardNames } from '../import-audience/shard-summary.ts';
import { readStartOffsets, type StartOffsets } from '../runtime/start-offsets.ts';
import type { ShardSummary } from './job.ts';

/** The status item key of shard `k` of an import (the import job's shard mode writes it). */
export const shardJobId = shardNames.statusJobId;

/** A finished shard: its counts and boundaries, where its records start in Kafka, and its files. */
export interface FinishedShard extends ShardSummary {
  readonly startOffsets: StartOffsets | undefined;
  readonly fingerprintsKey: string;
  readonly rejectsPartKey: string | undefined;
}

const NUMBER_FIELDS = [
  'rowsRead',
  'rowsProduced',
  'rowsRejected',
  'bytesRead',
  'firstRecordStart',
  'nextRecordStart',
  'lineCount',
] as const;

/**
 * Reads the status item of every shard; a shard whose item lacks its counts (`countsAt` is written last), a
 * number or its fingerprint file is `undefined`: it did not finish.
 */
export async function readShards(
  dynamodb: DynamoDBClient,
  tableName: string,
  importId: string,
  shardCount: number,
): Promise<(FinishedShard | undefined)[]> {
  return Promise.all(
    Array.from({ length: shardCount }, async (_, shardIndex) => {
      const jobId = shardJobId(importId, shardIndex);
      const item = await readStatusItem(dynamodb, tableName, jobId);
      const summary = item && finishedShard(item, shardIndex);
      if (!summary) return undefined;
      return { ...summary, startOffsets: await readStartOffsets(dynamodb, tableName, jobId) };
    }),
  );
}

function finishedShard(
  item: StatusItem,
  shardIndex: number,
): Omit<FinishedShard, 'startOffsets'> | undefined {
  if (typeof item.countsAt !== 'string' || typeof item.fingerprintsKey !== 'string') return undefined;
  const numbers: Partial<Record<(typeof NUMBER_FIELDS)[number], number>> = {};
  for (const field of NUMBER_FIELDS) {
    const value = item[field];
    if (typeof value !== 'number') return undefined;
    numbers[field] = value;
  }
  return {
    shardIndex,
    ...(numbers as Record<(typeof NUMBER_FIELDS)[number], number>),
    fingerprintsKey: item.fingerprintsKey,
    rejectsPartKey: typeof item.rejectsPartKey === 'string' ? item.rejectsPartKey : undefined,
  };
}

/**
 * What keeps the shards from tiling the object record for record: a missing shard, a shard whose records end
 * elsewhere than where the next one's start (the next one started inside a record, or past one), or a last shard
 * that does not end at the object's end. Shard 0 starts after the header, a known record start, so when every
 * boundary lines up, every shard started at a record start by induction. Empty when they tile it.
 */
export function boundaryProblems(
  shards: readonly (FinishedShard | undefined)[],
  objectBytes: number,
): string[] {
  const problems: string[] = [];
  shards.forEach((shard, k) => {
    if (!shard) {
      problems.push(`shard ${k} left no summary`);
      return;
    }
    const next = shards[k + 1];
    if (k === shards.length - 1 && shard.nextRecordStart !== objectBytes) {
      problems.push(
        `shard ${k} (the last) ends its records at byte ${shard.nextRecordStart}, not at the object's end ${objectBytes}`,
      );
    } else if (next && shard.nextRecordStart !== next.firstRecordStart) {
      problems.push(
        `shard ${k} ends its records at byte ${shard.nextRecordStart} but shard ${k + 1} started at byte ${next.firstRecordStart}`,
      );
    }
  });
  return problems;
}

/**
 * Per partition, the earliest offset any shard started at: every record of the import lies at or after it.
 * Undefined when a shard did not say where it started (its records may lie anywhere).
 */
export function earliestStartOffsets(shards: readonly FinishedShard[]): number[] | undefined {
  const lists = shards.flatMap((shard) => (shard.startOffsets ? [shard.startOffsets] : []));
  if (lists.length === 0 || lists.length < shards.length) return undefined;
  const partitions = Math.max(...lists.map((list) => list.length));
  return Array.from({ length: partitions }, (_, partition) =>
    Math.min(...lists.flatMap((list) => (partition < list.length ? [list[partition]!] : []))),
  );
}
