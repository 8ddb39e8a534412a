import { type CaughtError, fragment, type Terminated } from '../dsl/index.ts';
import type { JobKind } from '../jobs/audience-status/job.ts';
import { audienceStatus } from '../jobs/audience-status/job.ts';

/** What a Catch places at `$.failure`. */
export interface CaughtFailure {
  readonly failure: CaughtError;
}

/** The failure after a step's `<Step>Failed` state added the step's name and the job id. */
export interface StepFailure {
  readonly failure: CaughtError & { readonly step: string; readonly jobId: string };
}

/** The state the shared failure path needs. */
export type FailureState = { readonly userSegmentationId: string; readonly s3Key: string } & StepFailure;

/**
 * The shared end of an audience workflow's failure path: `markFailedState` records the failed step, error and
 * cause in the status table, then `failState` fails the execution. Each step's Catch reaches it through a
 * `<Step>Failed` Pass state that names the step. Its Lambda step takes the workflow's default Retry.
 */
export function markFailedPath(spec: {
  jobKind: JobKind;
  markFailedState: string;
  failState: string;
}): Terminated<FailureState, 'w'> {
  return fragment<FailureState>()
    .lambdaStep(
      spec.markFailedState,
      audienceStatus,
      ($, ctx) => ({
        jobId: $.failure.jobId,
        jobKind: spec.jobKind,
        userSegmentationId: $.userSegmentationId,
        event: 'fail',
        assumedAfterState: 'failed',
        executionArn: ctx.execution.id,
        objectKey: $.s3Key,
        failedStep: $.failure.step,
        error: $.failure.Error,
        cause: $.failure.Cause,
      }),
      { resultPath: null },
    )
    .fail(spec.failState, { error: spec.failState, cause: ($) => $.failure.Cause });
}
