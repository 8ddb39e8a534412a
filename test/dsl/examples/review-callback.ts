import { z } from 'zod';
import { defineWorkflow } from '../../../dsl/index.ts';
import { scoreItem } from './jobs/score-item.ts';

/**
 * Callback steps with heartbeats: the same job on Lambda and on Fargate, each handed `$$.Task.Token`; the job
 * runtime heartbeats while the job works (HeartbeatSeconds detects a stuck one) and sends its output back.
 */
export const reviewCallbackWorkflow = defineWorkflow({
  name: 'review-callback',
  description: 'Scores an item on Lambda then on Fargate, each step waiting for the job to call back',
  input: z.object({ itemId: z.string(), workMs: z.number().int(), heartbeat: z.boolean() }),
  definition: (start) =>
    start
      .lambdaStep(
        'ScoreOnLambda',
        scoreItem,
        ($) => ({ itemId: $.itemId, workMs: $.workMs, heartbeat: $.heartbeat }),
        { integration: 'waitForTaskToken', heartbeatSeconds: 1, timeoutSeconds: 60, resultPath: '$.lambda' },
      )
      .fargateStep(
        'ScoreOnFargate',
        scoreItem,
        ($) => ({ itemId: $.lambda.itemId, workMs: $.workMs, heartbeat: $.heartbeat }),
        // A task takes a while to start: the first heartbeat comes once the job runs.
        {
          integration: 'waitForTaskToken',
          heartbeatSeconds: 20,
          timeoutSeconds: 120,
          resultPath: '$.fargate',
        },
      )
      .succeed('Scored'),
});
