import { z } from 'zod';
import {
  conditions,
  contextRefs,
  defineWorkflow,
  fragment,
  intrinsics,
  platformResource,
  type RefTree,
  retryPresets,
} from '../dsl/index.ts';
import { audienceStatus } from '../jobs/audience-status/job.ts';
import { closeShardedImport } from '../jobs/close-sharded-import/job.ts';
import { importAudience } from '../jobs/import-audience/job.ts';
import type { ImportPlan } from '../jobs/plan-import/job.ts';
import { planImport } from '../jobs/plan-import/job.ts';
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

/** The state once the plan step placed its result. */
type PlannedImport = ImportAudienceInput & { readonly plan: { readonly Payload: ImportPlan } };

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

/** A step's own Catch of any error, as the workflow's default gives the top-level steps. */
const orFail = (step: string) => ({ resultPath: '$.failure', next: failedAt(step) }) as const;

/** The import job's input for a whole-object run: the object the plan saw, If-Match on its ETag. */
const wholeObject = ($: RefTree<PlannedImport, 'w'>) => ({
  importId: $.importId,
  userSegmentationId: $.userSegmentationId,
  s3Bucket: $.s3Bucket,
  s3Key: $.s3Key,
  sourceEtag: $.plan.Payload.etag,
});

/** Every path ends here: one end marker closing the import with its counts, then the status. */
const closeImport = fragment<PlannedImport>()
  .lambdaStep(
    'SendEndMarker',
    sendEndMarker,
    ($) => ({ jobId: $.importId, jobKind: 'import', userSegmentationId: $.userSegmentationId }),
    { resultPath: '$.endMarker' },
  )
  .catch(['States.ALL'], orFail('SendEndMarker'))
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
  .catch(['States.ALL'], orFail('UpdateAudienceStatusToImported'))
  .succeed('Imported');

/**
 * The whole object on one Fargate task: the plan's choice for mid-sized and gzip files, and where a Lambda run
 * that ran out of time and a sharded run that could not be reconciled go on. It resumes after the Lambda run's
 * last checkpoint (same import, same transactional id); after shards it has checkpoints and start offsets of its own.
 */
const importOnFargate = fragment<PlannedImport>()
  .fargateStep('ImportOnFargate', importAudience, wholeObject, {
    resultPath: null,
    timeoutSeconds: 4 * 60 * 60,
    // A Spot interruption or a host failure stops the task: the job resumes from its checkpoint.
    retryStoppedTask: { maxAttempts: 3 },
  })
  .catch(['States.ALL'], orFail('ImportOnFargate'))
  .goto(closeImport);

/** Small objects on Lambda, in seconds; out of time (the job's guard, or the state's timeout), on to Fargate. */
const importOnLambda = fragment<PlannedImport>()
  .lambdaStep('ImportOnLambda', importAudience, wholeObject, { resultPath: null, timeoutSeconds: 900 })
  // Out of time by the job's guard, the state's timeout, or Lambda's own (a timeout or out of memory is Lambda.Unknown).
  .catch(['ImportTimeBudgetExhausted', 'States.Timeout', 'Lambda.Unknown'], {
    resultPath: '$.lambdaRun',
    next: importOnFargate,
  })
  .catch(['States.ALL'], orFail('ImportOnLambda'))
  .goto(closeImport);

/**
 * After the shards: the reduce step checks that each shard ended where the next began and looks for user ids in
 * several shards; it closes the import, or hands the object to one task when it cannot reconcile them.
 */
const closeSharded = fragment<PlannedImport>()
  .lambdaStep(
    'CloseShardedImport',
    closeShardedImport,
    ($) => ({
      importId: $.importId,
      userSegmentationId: $.userSegmentationId,
      s3Bucket: $.s3Bucket,
      s3Key: $.s3Key,
      shardCount: intrinsics.arrayLength($.plan.Payload.shards),
      objectBytes: $.plan.Payload.objectBytes,
    }),
    { resultPath: '$.reconciled' },
  )
  .catch(['States.ALL'], orFail('CloseShardedImport'))
  .choice('ShardsReconciled', ($) => [
    {
      condition: conditions.eq($.reconciled.Payload.outcome, 'rerun-unsharded'),
      steps: (rerun) => rerun.goto(importOnFargate),
    },
  ])
  .goto(closeImport);

/**
 * Large objects: one Fargate task per byte range of the plan, `maxConcurrency` at once, no failure tolerated (a
 * shard retries alone: its own transactional id and checkpoint); the shard results go to S3, the state keeps
 * only where. Then the reduce step checks the boundaries and ids across shards and closes the import, or hands
 * the object to one task.
 */
const importShards = fragment<PlannedImport>()
  .distributedMap(
    'ImportShards',
    ($) => $.plan.Payload.shards,
    {
      itemSelector: ($, ctx) => ({
        ...wholeObject($),
        shardIndex: ctx.map.item.value.shardIndex,
        shardCount: ctx.map.item.value.shardCount,
        rangeStart: ctx.map.item.value.rangeStart,
        rangeEnd: ctx.map.item.value.rangeEnd,
      }),
      maxConcurrency: ($) => $.plan.Payload.maxConcurrency,
      toleratedFailureCount: 0,
      label: 'ImportShard',
      resultWriter: { bucket: platformResource('s3Bucket', 'audience'), prefix: 'rejects/shard-runs' },
      resultPath: '$.shardRun',
    },
    (shard) =>
      shard.fargateStep(
        'ImportShard',
        importAudience,
        ($) => ({
          importId: $.importId,
          userSegmentationId: $.userSegmentationId,
          s3Bucket: $.s3Bucket,
          s3Key: $.s3Key,
          sourceEtag: $.sourceEtag,
          shardIndex: $.shardIndex,
          shardCount: $.shardCount,
          rangeStart: $.rangeStart,
          rangeEnd: $.rangeEnd,
        }),
        {
          resultPath: null,
          timeoutSeconds: 4 * 60 * 60,
          retryStoppedTask: { maxAttempts: 3 },
        },
      ),
  )
  .selectResult(($) => ({ resultsManifest: $.ResultWriterDetails.Key }))
  // A shard that failed for good (e.g. one whose guessed start fell inside a quoted field and rejected too much)
  // leaves no summary: the reduce step then finds the chain broken and hands the object to one task.
  .catch(['States.ExceedToleratedFailureThreshold'], { resultPath: '$.shardRun', next: closeSharded })
  .catch(['States.ALL'], orFail('ImportShards'))
  .goto(closeSharded);

/**
 * import-audience: the talk's import flow with the executor chosen at run time. Marks the job importing, plans it
 * (size and encoding), imports on Lambda, on one Fargate task, or on N Fargate tasks over byte ranges reconciled
 * by a reduce step, closes the import with an end marker and marks it imported; any failure is recorded and
 * fails the execution.
 */
export const importAudienceWorkflow = defineWorkflow({
  name: 'import-audience',
  description:
    'Imports a CSV of users from S3 into Kafka on Lambda, Fargate or shards, and records the job status',
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
      .lambdaStep(
        'PlanImport',
        planImport,
        ($) => ({ importId: $.importId, s3Bucket: $.s3Bucket, s3Key: $.s3Key }),
        {
          resultPath: '$.plan',
        },
      )
      .choice(
        'ChooseExecutor',
        ($) => [
          {
            condition: conditions.eq($.plan.Payload.executor, 'lambda'),
            steps: (small) => small.goto(importOnLambda),
          },
          {
            condition: conditions.eq($.plan.Payload.executor, 'sharded'),
            steps: (large) => large.goto(importShards),
          },
        ],
        (otherwise) => otherwise.goto(importOnFargate),
      ),
});
