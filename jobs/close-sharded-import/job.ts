import { z } from 'zod';
import { defineJob } from '../../dsl/job.ts';

/** What one shard reported, as the reduce step read it from the shard's status item. */
export const ShardSummary = z.object({
  shardIndex: z.number(),
  rowsRead: z.number(),
  rowsProduced: z.number(),
  rowsRejected: z.number(),
  bytesRead: z.number(),
  firstRecordStart: z.number(),
  nextRecordStart: z.number(),
  lineCount: z.number(),
});
export type ShardSummary = z.infer<typeof ShardSummary>;

/** The shards tile the object and no user id is in two of them: the import is complete. */
const Complete = z.object({
  outcome: z.literal('complete'),
  rowsRead: z.number(),
  rowsProduced: z.number(),
  rowsRejected: z.number(),
  bytesRead: z.number(),
  shards: z.array(ShardSummary),
});

/** A boundary did not line up, or a user id is in two shards: the import must run again as one task. */
const RerunUnsharded = z.object({
  outcome: z.literal('rerun-unsharded'),
  reason: z.string(),
  /** Occurrences of a user id in a shard after its first in an earlier one (not looked for when a boundary is off). */
  duplicatesAcrossShards: z.number(),
  /** Shard boundaries that did not line up (a missing shard summary counts as one). */
  mismatchedBoundaries: z.number(),
});

/**
 * The reduce step of a sharded import: checks that the shards tile the object record for record, merges their
 * fingerprint files to find user ids in more than one shard, applies the rejection threshold to the whole
 * import, and either closes it as one import (counts, start offsets, one rejects file) or asks for an unsharded run.
 */
export const closeShardedImport = defineJob({
  name: 'close-sharded-import',
  description: 'Checks and merges the shards of a sharded import, or asks for an unsharded run',
  input: z.object({
    importId: z.string().min(1).max(128),
    userSegmentationId: z.string().min(1).max(128),
    s3Bucket: z.string().min(3).max(63),
    s3Key: z.string().min(1).max(1024),
    shardCount: z.number().int().positive(),
    /** Above this many rejected rows in the whole import (duplicates across shards counted) the import fails. */
    maxRejectedRows: z.number().int().nonnegative().default(1000),
    /** The object's size, where the last shard's records must end. */
    objectBytes: z.number().int().nonnegative(),
  }),
  output: z.discriminatedUnion('outcome', [Complete, RerunUnsharded]),
  runsOn: ['lambda'],
  module: 'jobs/close-sharded-import/run.ts',
  errors: ['InvalidInput', 'TooManyRejectedRows'],
  needs: [
    'statusTable:read',
    'statusTable:write',
    'audienceBucket:read:rejects',
    'audienceBucket:write:rejects',
  ],
  resources: { lambda: { memoryMiB: 1024, timeoutSeconds: 900 } },
});
