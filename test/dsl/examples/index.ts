import type { AnyWorkflow } from '../../../dsl/index.ts';
import { audienceBatchesWorkflow } from './audience-batches.ts';
import { failureNotificationWorkflow } from './failure-notification.ts';
import { parallelScoringWorkflow } from './parallel-scoring.ts';
import { reportPollingWorkflow } from './report-polling.ts';
import { reviewCallbackWorkflow } from './review-callback.ts';
import { shardFanoutWorkflow } from './shard-fanout.ts';

export {
  audienceBatchesWorkflow,
  failureNotificationWorkflow,
  parallelScoringWorkflow,
  reportPollingWorkflow,
  reviewCallbackWorkflow,
  shardFanoutWorkflow,
};

/** The workflows that show what the DSL can express (not deployed): each is snapshotted and, where the local interpreter can, run. */
export const exampleWorkflows: readonly AnyWorkflow[] = [
  reportPollingWorkflow,
  reviewCallbackWorkflow,
  audienceBatchesWorkflow,
  parallelScoringWorkflow,
  failureNotificationWorkflow,
  shardFanoutWorkflow,
];
