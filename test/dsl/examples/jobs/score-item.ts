import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineJob } from '../../../../dsl/index.ts';
import type { JobDeps } from '../../../../jobs/runtime/clients.ts';

/** Scores one item, heartbeating while it works; refuses an item asked to fail (a job error of its own). */
export const scoreItem = defineJob({
  name: 'score-item',
  description: 'Scores one item',
  input: z.object({
    itemId: z.string(),
    workMs: z.number().int().default(0),
    heartbeat: z.boolean().default(true),
    fail: z.boolean().default(false),
  }),
  output: z.object({ itemId: z.string(), score: z.number(), heartbeats: z.number() }),
  runsOn: ['lambda', 'fargate'],
  module: 'test/dsl/examples/jobs/score-item.ts',
  errors: ['ItemRejected'],
});

/** Runs the job: works `workMs` in slices of 100 ms, calling `deps.heartbeat()` after each when asked to. */
export async function run(
  input: z.output<typeof scoreItem.input>,
  deps: Pick<JobDeps, 'heartbeat' | 'log'>,
): Promise<z.input<typeof scoreItem.output>> {
  let heartbeats = 0;
  for (let worked = 0; worked < input.workMs; worked += 100) {
    await sleep(100);
    if (input.heartbeat) {
      await deps.heartbeat();
      heartbeats++;
    }
  }
  if (input.fail) throw Object.assign(new Error(`item ${input.itemId} is refused`), { name: 'ItemRejected' });
  deps.log.info('item-scored', { itemId: input.itemId });
  return { itemId: input.itemId, score: input.itemId.length, heartbeats };
}
