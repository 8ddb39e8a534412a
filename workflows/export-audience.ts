import { z } from 'zod';
import { defineWorkflow, fragment, retryPresets } from '../dsl/index.ts';
import { audienceStatus } from '../jobs/audience-status/job.ts';
import { exportAudience } from '../jobs/export-audience/job.ts';
import { type CaughtFailure, markFailedPath } from './job-failure.ts';

/** Input of an export execution: which import of which segment to write to which CSV object. */
export const ExportAudienceInput = z.object({
  exportId: z.string().min(1).max(128),
  userSegmentationId: z.string().min(1).max(128),
  importId: z.string().min(1).max(128),
  s3Bucket: z.string().min(3).max(63),
  s3Key: z.string().min(1).max(1024),
});
export type ExportAudienceInput = z.infer<typeof ExportAudienceInput>;

const markFailed = markFailedPath({
  jobKind: 'export',
  markFailedState: 'MarkExportFailed',
  failState: 'ExportFailed',
});

/** The target of a step's Catch: names the step and the job, then goes to MarkExportFailed. */
const failedAt = (step: string) =>
  fragment<ExportAudienceInput & CaughtFailure>()
    .pass(`${step}Failed`, {
      parameters: ($) => ({ step, jobId: $.exportId, Error: $.failure.Error, Cause: $.failure.Cause }),
      resultPath: '$.failure',
    })
    .goto(markFailed);

/**
 * export-audience: mirrors the import. Marks the job exporting, writes the segment's records from Kafka to a
 * CSV object on Fargate, marks it exported with the object key; any failure is recorded and fails the execution.
 */
export const exportAudienceWorkflow = defineWorkflow({
  name: 'export-audience',
  description: "Exports a segment's users from Kafka to a CSV object in S3 and records the job status",
  input: ExportAudienceInput,
  timeoutSeconds: 6 * 60 * 60,
  // Every task retries its integration's transient errors and, on any other error, records the failed step.
  defaults: {
    retry: { lambda: [retryPresets.lambdaServiceErrors()], fargate: [retryPresets.ecsCapacity()] },
    catch: (step) => ({ errors: ['States.ALL'], resultPath: '$.failure', next: failedAt(step) }),
  },
  definition: (start) =>
    start
      .lambdaStep(
        'UpdateAudienceStatusToExporting',
        audienceStatus,
        ($, ctx) => ({
          jobId: $.exportId,
          jobKind: 'export',
          userSegmentationId: $.userSegmentationId,
          event: 'start_exporting',
          assumedAfterState: 'exporting',
          executionArn: ctx.execution.id,
        }),
        { resultPath: null },
      )
      .fargateStep(
        'ExportToS3',
        exportAudience,
        ($) => ({
          exportId: $.exportId,
          userSegmentationId: $.userSegmentationId,
          importId: $.importId,
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
      .catch(['States.ALL'], { resultPath: '$.failure', next: failedAt('ExportToS3') })
      .lambdaStep(
        'UpdateAudienceStatusToExported',
        audienceStatus,
        ($, ctx) => ({
          jobId: $.exportId,
          jobKind: 'export',
          userSegmentationId: $.userSegmentationId,
          event: 'finish_exporting',
          assumedAfterState: 'exported',
          executionArn: ctx.execution.id,
          objectKey: $.s3Key,
        }),
        { resultPath: '$.status' },
      )
      .succeed('Exported'),
});
