import { z } from 'zod';
import { defineJob } from '../../dsl/job.ts';

/**
 * Streams a CSV object of user rows from S3, validates each row and produces it to Kafka: the whole object, or one
 * shard (byte range) of it. Small objects run on Lambda, large ones on Fargate (the plan step decides).
 */
export const importAudience = defineJob({
  name: 'import-audience',
  description: 'Streams a CSV of users from S3, validates each row and produces it to Kafka',
  input: z.object({
    importId: z.string().min(1).max(128),
    userSegmentationId: z.string().min(1).max(128),
    s3Bucket: z.string().min(3).max(63),
    s3Key: z.string().min(1).max(1024),
    /** Above this many rejected rows the import fails (exit code 2). */
    maxRejectedRows: z.number().int().nonnegative().default(1000),
    /** The object version to read (every GET is If-Match on it): the one the plan step saw. */
    sourceEtag: z.string().min(1).optional(),
    /** Shard mode (all four or none): this shard's index and count, and its byte range of the object. */
    shardIndex: z.number().int().nonnegative().optional(),
    shardCount: z.number().int().positive().optional(),
    rangeStart: z.number().int().nonnegative().optional(),
    rangeEnd: z.number().int().nonnegative().optional(),
  }),
  output: z.object({
    rowsRead: z.number(),
    rowsProduced: z.number(),
    rowsRejected: z.number(),
    bytesRead: z.number(),
    seconds: z.number(),
    /** Shard mode: where its records lie (the object offsets of its first record and of the next shard's). */
    firstRecordStart: z.number().optional(),
    nextRecordStart: z.number().optional(),
    /** Shard mode: physical lines from its first record to the next shard's (with the header's, for shard 0). */
    lineCount: z.number().optional(),
  }),
  runsOn: ['lambda', 'fargate'],
  module: 'jobs/import-audience/run.ts',
  errors: ['InvalidInput', 'TooManyRejectedRows', 'SourceNotFound', 'ImportTimeBudgetExhausted'],
  settings: ['parserWorkers'],
  needs: ['audienceBucket:read:imports', 'audienceBucket:write:rejects', 'statusTable:write', 'kafka'],
  resources: { fargate: { cpu: 1024, memoryMiB: 2048 }, lambda: { memoryMiB: 2048, timeoutSeconds: 900 } },
});
