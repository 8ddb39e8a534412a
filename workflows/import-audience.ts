import { z } from 'zod';
import { contextRefs, defineWorkflow, fragment, retryPresets } from '../dsl/index.ts';
import { audienceStatus } from '../jobs/audience-status/job.ts';
import { importAudience } from '../jobs/import-audience/job.ts';
import { sendEndMarker } from '../jobs/send-end-marker/job.ts';
import { type CaughtFailure, markFailedPath } from './job-failure.ts';

/** Input of an import execution: which CSV object to import into which segment. */
export const ImportAudienceInput = z.object({
  importId: z.string().min(1).max(128),
  userSegmentationId: z.string().min(1).max(128),
  s3Bucket: z.string().min(3).max(63),
  s3Key: z.string().min(1).max(1024),
});
export type ImportAudienceInput = z.infer<typeof ImportAudienceInput>;

const markFailed = markFailedPath({
  jobKind: 'import',
  markFailedState: 'MarkImportFailed',
  failState: 'ImportFailed',
});

/** The target of a step's Catch: names the step and the job, then goes to MarkImportFailed. */
const failedAt = (step: string) =>
  fragment<ImportAudienceInput & CaughtFailure>()
    .pass(`${step}Failed`, {
      parameters: ($) => ({ step, jobId: $.importId, Error: $.failure.Error, Cause: $.failure.Cause }),
      resultPath: '$.failure',
    })
    .goto(markFailed);

/**
 * import-audience: the talk's import flow. Marks the job importing, streams the CSV into Kafka on Fargate,
 * closes the import with an end marker, marks it imported; any failure is recorded and fails the execution.
 */
export const importAudienceWorkflow = defineWorkflow({
  name: 'import-audience',
  description: 'Imports a CSV of users from S3 into Kafka and records the job status',
  input: ImportAudienceInput,
  timeoutSeconds: 6 * 60 * 60,
  // Every task retries its integration's transient errors and, on any other error, records the failed step.
  defaults: {
    retry: { lambda: [retryPresets.lambdaServiceErrors()], fargate: [retryPresets.ecsCapacity()] },
    catch: (step) => ({ errors: ['States.ALL'], resultPath: '$.failure', next: failedAt(step) }),
  },
  definition: (start) =>
    start
      .lambdaStep(
        'UpdateAudienceStatusToImporting',
        audienceStatus,
        ($) => ({
          jobId: $.importId,
          jobKind: 'import',
          userSegmentationId: $.userSegmentationId,
          event: 'start_importing',
          assumedAfterState: 'importing',
          executionArn: contextRefs.execution.id,
          objectKey: $.s3Key,
        }),
        { resultPath: null },
      )
      .fargateStep(
        'ImportToKafka',
        importAudience,
        ($) => ({
          importId: $.importId,
          userSegmentationId: $.userSegmentationId,
          s3Bucket: $.s3Bucket,
          s3Key: $.s3Key,
        }),
        {
          resultPath: null,
          timeoutSeconds: 4 * 60 * 60,
          // A Spot interruption or a host failure stops the task: the job resumes from its checkpoint.
          retryStoppedTask: { maxAttempts: 3 },
        },
      )
      .lambdaStep(
        'SendEndMarker',
        sendEndMarker,
        ($) => ({ jobId: $.importId, jobKind: 'import', userSegmentationId: $.userSegmentationId }),
        { resultPath: '$.endMarker' },
      )
      .lambdaStep(
        'UpdateAudienceStatusToImported',
        audienceStatus,
        ($, ctx) => ({
          jobId: $.importId,
          jobKind: 'import',
          userSegmentationId: $.userSegmentationId,
          event: 'finish_importing',
          assumedAfterState: 'imported',
          executionArn: ctx.execution.id,
        }),
        { resultPath: '$.status' },
      )
      .succeed('Imported'),
});
