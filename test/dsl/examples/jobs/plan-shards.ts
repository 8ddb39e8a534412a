import { z } from 'zod';
import { defineJob } from '../../../../dsl/index.ts';

/** Splits a job into shards (a stand-in for the import's plan step, which picks shards by the object's size). */
export const planShards = defineJob({
  name: 'plan-shards',
  description: 'Plans the shards of a job',
  input: z.object({ jobId: z.string(), shards: z.number().int().min(0) }),
  output: z.object({ shardCount: z.number(), shards: z.array(z.object({ itemId: z.string() })) }),
  runsOn: ['lambda'],
  module: 'test/dsl/examples/jobs/plan-shards.ts',
});

/** Runs the job. */
export async function run(
  input: z.output<typeof planShards.input>,
): Promise<z.input<typeof planShards.output>> {
  const shards = Array.from({ length: input.shards }, (_, i) => ({ itemId: `${input.jobId}-shard-${i}` }));
  return { shardCount: shards.length, shards };
}
