import { z } from 'zod';
import { defineJob } from '../../dsl/job.ts';

/** Reads one segment's records from Kafka up to its end marker and writes them as CSV to S3. */
export const exportAudience = defineJob({
  name: 'export-audience',
  description: "Reads a segment's records from Kafka up to its end marker and writes CSV to S3",
  input: z.object({
    exportId: z.string().min(1).max(128),
    userSegmentationId: z.string().min(1).max(128),
    /** The import whose end marker bounds the export. */
    importId: z.string().min(1).max(128),
    s3Bucket: z.string().min(3).max(63),
    s3Key: z.string().min(1).max(1024),
  }),
  output: z.object({
    rowsExported: z.number(),
    bytesWritten: z.number(),
    seconds: z.number(),
  }),
  runsOn: ['fargate'],
  module: 'jobs/export-audience/run.ts',
  errors: ['InvalidInput', 'EndMarkerNotFound'],
  needs: ['audienceBucket:write', 'statusTable:read', 'statusTable:write', 'kafka'],
  resources: { fargate: { cpu: 1024, memoryMiB: 2048 } },
});
