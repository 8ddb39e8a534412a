import { z } from 'zod';
import { defineJob } from '../../dsl/job.ts';
import { JobKind } from '../audience-status/job.ts';

/** Produces the one control record that closes an import or export, with its counts. */
export const sendEndMarker = defineJob({
  name: 'send-end-marker',
  description: 'Produces the control record that closes an import or export, with its counts',
  input: z.object({
    jobId: z.string().min(1).max(128),
    jobKind: JobKind,
    userSegmentationId: z.string().min(1).max(128),
  }),
  output: z.object({
    topic: z.string(),
    partitions: z.number(),
    rowsProduced: z.number(),
    rowsRejected: z.number(),
  }),
  runsOn: ['lambda', 'fargate'],
  module: 'jobs/send-end-marker/run.ts',
  errors: ['InvalidInput', 'CountsMissing'],
  needs: ['statusTable:read', 'kafka'],
  resources: { lambda: { memoryMiB: 256, timeoutSeconds: 60 } },
});
