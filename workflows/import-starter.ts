import { z } from 'zod';
import { defineWorkflow, fragment, retryPresets } from '../dsl/index.ts';
import { importKey } from '../jobs/import-key/job.ts';
import { importAudienceWorkflow } from './import-audience.ts';
import { IMPORT_KEY_LAYOUT } from './import-trigger.ts';

/** What the EventBridge rule hands the starter: the created object's bucket and key. */
export const ImportStarterInput = z.object({
  s3Bucket: z.string().min(3).max(63),
  s3Key: z.string().min(1).max(1024),
});

/**
 * import-starter: S3 → EventBridge → here → import-audience. An EventBridge input transformer can only copy
 * fields, and intrinsic functions can split a key but not check its ids' characters or length, so the
 * `import-key` job reads the key (the same mapping the local runner applies): a key outside the layout fails
 * the starter as `NotAnImportKey` before anything starts. Then it starts the import workflow named after the
 * import id: a repeated S3 event for the same object is refused by Step Functions (ExecutionAlreadyExists) and
 * absorbed here.
 */
export const importStarterWorkflow = defineWorkflow({
  name: 'import-starter',
  description: `Starts the import workflow for an object created as ${IMPORT_KEY_LAYOUT}, named after its import id`,
  input: ImportStarterInput,
  timeoutSeconds: 5 * 60,
  definition: (start) =>
    start
      .lambdaStep('ReadImportKey', importKey, ($) => ({ s3Bucket: $.s3Bucket, s3Key: $.s3Key }), {
        resultPath: '$.import',
      })
      .retry(retryPresets.lambdaServiceErrors())
      .startWorkflowStep(
        'StartImport',
        importAudienceWorkflow,
        ($) => ({
          importId: $.import.Payload.importId,
          userSegmentationId: $.import.Payload.userSegmentationId,
          s3Bucket: $.import.Payload.s3Bucket,
          s3Key: $.import.Payload.s3Key,
        }),
        { executionName: ($) => $.import.Payload.importId, resultPath: '$.execution' },
      )
      .retry({
        errors: ['StepFunctions.ExecutionLimitExceededException'],
        intervalSeconds: 5,
        maxAttempts: 6,
        backoffRate: 2,
        jitter: 'FULL',
      })
      .catch(['StepFunctions.ExecutionAlreadyExistsException'], {
        resultPath: null,
        next: fragment<unknown>().succeed('AlreadyStarted', {
          comment: 'A duplicate event for an import already started: absorbed',
        }),
      })
      .succeed('ImportStarted'),
});
