import { z } from 'zod';
import {
  type CaughtError,
  defineWorkflow,
  fragment,
  intrinsics,
  platformResource,
  snsPublish,
} from '../../../dsl/index.ts';
import { scoreItem } from './jobs/score-item.ts';

const Input = z.object({ itemId: z.string(), fail: z.boolean() });

/** Tells the `failures` topic which step failed and why, then fails the execution. */
const notifyFailure = (step: string) =>
  fragment<z.infer<typeof Input> & { failure: CaughtError }>()
    .serviceStep(
      `Notify${step}Failed`,
      ($, ctx) =>
        snsPublish({
          TopicArn: platformResource('snsTopic', 'failures'),
          Subject: intrinsics.format('{} failed', ctx.execution.name),
          Message: { step, itemId: $.itemId, error: $.failure.Error, cause: $.failure.Cause },
        }),
      { resultPath: null },
    )
    .fail(`${step}Failed`, { error: 'ScoringFailed', cause: ($) => $.failure.Cause });

/** An SNS notification on failure, for every task of the workflow through its default Catch. */
export const failureNotificationWorkflow = defineWorkflow({
  name: 'failure-notification',
  description: 'Scores an item and tells the failures topic when it cannot',
  input: Input,
  defaults: {
    catch: (step) => ({ errors: ['States.ALL'], resultPath: '$.failure', next: notifyFailure(step) }),
  },
  definition: (start) =>
    start
      .lambdaStep('Score', scoreItem, ($) => ({ itemId: $.itemId, fail: $.fail }), { resultPath: '$.score' })
      .succeed('Scored'),
});
