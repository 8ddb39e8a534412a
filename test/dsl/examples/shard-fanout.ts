import { z } from 'zod';
import { conditions, defineWorkflow, retryPresets } from '../../../dsl/index.ts';
import { planShards } from './jobs/plan-shards.ts';
import { scoreItem } from './jobs/score-item.ts';

/**
 * What the sharded import needs of the DSL: a plan step, a Choice on its result, and a distributed map over the
 * planned shards (items from the state) running a Fargate step each, at most `maxConcurrency` at once, with no
 * failure tolerated; the result is reduced to a summary.
 */
export const shardFanoutWorkflow = defineWorkflow({
  name: 'shard-fanout',
  description: 'Plans shards and runs one Fargate task per shard',
  input: z.object({ jobId: z.string(), shards: z.number().int(), maxConcurrency: z.number().int() }),
  defaults: {
    retry: { lambda: [retryPresets.lambdaServiceErrors()], fargate: [retryPresets.ecsCapacity()] },
  },
  definition: (start) =>
    start
      .lambdaStep('PlanShards', planShards, ($) => ({ jobId: $.jobId, shards: $.shards }), {
        resultPath: '$.plan',
      })
      .choice('AnyShards', ($) => [
        {
          condition: conditions.eq($.plan.Payload.shardCount, 0),
          steps: (none) => none.succeed('NothingToDo'),
        },
      ])
      .distributedMap(
        'EachShard',
        ($) => $.plan.Payload.shards,
        {
          itemSelector: (_$, ctx) => ({ itemId: ctx.map.item.value.itemId, index: ctx.map.item.index }),
          maxConcurrency: ($) => $.maxConcurrency,
          toleratedFailureCount: 0,
          label: 'Shards',
          resultPath: '$.shards',
        },
        (shard) =>
          shard.fargateStep('ScoreShard', scoreItem, ($) => ({ itemId: $.itemId, workMs: 500 }), {
            resultPath: null,
          }),
      )
      .pass('Summary', {
        parameters: ($) => ({ jobId: $.jobId, shardCount: $.plan.Payload.shardCount }),
        resultPath: '$.summary',
      })
      .succeed('AllShardsDone'),
});
