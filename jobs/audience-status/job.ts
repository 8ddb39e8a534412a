import { z } from 'zod';
import { defineJob } from '../../dsl/job.ts';

/** Kinds of audience job tracked in the status table. */
export const JobKind = z.enum(['import', 'export']);
export type JobKind = z.infer<typeof JobKind>;

/** Lifecycle states: import jobs pending → importing → imported | failed; export jobs pending → exporting → exported | failed. */
export const JobStatus = z.enum(['pending', 'importing', 'imported', 'exporting', 'exported', 'failed']);
export type JobStatus = z.infer<typeof JobStatus>;

/** Events that move a job from one state to the next. */
export const StatusEvent = z.enum([
  'start_importing',
  'finish_importing',
  'start_exporting',
  'finish_exporting',
  'fail',
]);
export type StatusEvent = z.infer<typeof StatusEvent>;

/**
 * Records a status transition in the job-status table. The step names the event and the state assumed
 * afterwards (as in the talk), so replaying it is a successful no-op.
 */
export const audienceStatus = defineJob({
  name: 'audience-status',
  description: 'Moves an import/export job through its lifecycle in the job-status table',
  input: z.object({
    jobId: z.string().min(1).max(128),
    jobKind: JobKind,
    userSegmentationId: z.string().min(1).max(128),
    event: StatusEvent,
    assumedAfterState: JobStatus,
    executionArn: z.string().min(1),
    /** Object the job read or wrote (the import source or the export target). */
    objectKey: z.string().min(1).optional(),
    /** On `fail`: the state that failed, its error name and cause. */
    failedStep: z.string().min(1).optional(),
    error: z.string().optional(),
    cause: z.string().optional(),
  }),
  output: z.object({
    jobId: z.string(),
    status: JobStatus,
    /** False when the transition had already been recorded (a replay). */
    changed: z.boolean(),
  }),
  runsOn: ['lambda'],
  module: 'jobs/audience-status/run.ts',
  errors: ['InvalidInput', 'IllegalTransition'],
  needs: ['statusTable:read', 'statusTable:write'],
  resources: { lambda: { memoryMiB: 256, timeoutSeconds: 30 } },
});
