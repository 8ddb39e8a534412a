import { z } from 'zod';
import { defineJob } from '../../dsl/job.ts';
import { NOT_AN_IMPORT_KEY } from './key-layout.ts';

/**
 * Reads an uploaded object's key as an import: the import id and segment it names, checked character by
 * character and for length, which a state machine's intrinsic functions cannot do.
 */
export const importKey = defineJob({
  name: 'import-key',
  description: 'Maps an object created under imports/ to the import workflow input, or refuses the key',
  input: z.object({
    s3Bucket: z.string().min(3).max(63),
    s3Key: z.string().min(1).max(1024),
  }),
  output: z.object({
    importId: z.string(),
    userSegmentationId: z.string(),
    s3Bucket: z.string(),
    s3Key: z.string(),
  }),
  runsOn: ['lambda'],
  module: 'jobs/import-key/run.ts',
  errors: ['InvalidInput', NOT_AN_IMPORT_KEY],
  needs: [],
  resources: { lambda: { memoryMiB: 128, timeoutSeconds: 10 } },
});
