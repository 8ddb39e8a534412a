import { z } from 'zod';
import { defineJob } from '../../dsl/job.ts';

/** Where an import runs: Lambda (small), one Fargate task, or a Fargate task per byte range (sharded). */
export const ImportExecutor = z.enum(['lambda', 'fargate', 'sharded']);
export type ImportExecutor = z.infer<typeof ImportExecutor>;

/** One shard of a sharded import: a byte range of the object (the last one ends at the object's size). */
export const ImportShard = z.object({
  shardIndex: z.number().int().nonnegative(),
  shardCount: z.number().int().positive(),
  rangeStart: z.number().int().nonnegative(),
  rangeEnd: z.number().int().positive(),
});
export type ImportShard = z.infer<typeof ImportShard>;

/** The plan of an import: its executor, why, what the object is, and the shards when sharded. */
export const ImportPlan = z.object({
  executor: ImportExecutor,
  /** Why this executor, in words, with the thresholds that decided it. */
  reason: z.string(),
  objectBytes: z.number().int().nonnegative(),
  /** The object version planned for; every read of the import is If-Match on it. */
  etag: z.string(),
  /** gzip data, which cannot be split into byte ranges. */
  compressed: z.boolean(),
  /** Equal byte ranges of the object; empty unless sharded. */
  shards: z.array(ImportShard),
  /** Shard tasks running at once (the distributed map's MaxConcurrency). */
  maxConcurrency: z.number().int().positive(),
});
export type ImportPlan = z.infer<typeof ImportPlan>;

/**
 * The first step of an import: reads the object's size and encoding (HeadObject, then its first bytes) and
 * picks where the import runs, by the talk's rule: Lambda while the import fits well within 15 minutes, one
 * Fargate task above that, one task per byte range for large files.
 */
export const planImport = defineJob({
  name: 'plan-import',
  description: "Reads an import object's size and encoding and picks Lambda, one Fargate task or shards",
  input: z.object({
    importId: z.string().min(1).max(128),
    s3Bucket: z.string().min(3).max(63),
    s3Key: z.string().min(1).max(1024),
  }),
  output: ImportPlan,
  runsOn: ['lambda'],
  module: 'jobs/plan-import/run.ts',
  errors: ['InvalidInput', 'SourceNotFound'],
  needs: ['audienceBucket:read:imports'],
  settings: ['importPlan'],
  resources: { lambda: { memoryMiB: 256, timeoutSeconds: 30 } },
});
