import { z } from 'zod';
import { type CaughtError, defineWorkflow, fragment, retryPresets } from '../../../dsl/index.ts';
import { scoreItem } from './jobs/score-item.ts';

const Input = z.object({ first: z.string(), second: z.string() });

/** Where a failed scoring ends. */
const scoringFailed = fragment<z.infer<typeof Input> & { failure: CaughtError }>().fail('ScoringFailed', {
  error: 'ScoringFailed',
  cause: ($) => $.failure.Cause,
});

/** A Parallel of two scores, retried on a Lambda service error, caught otherwise, its result reduced to a pair. */
export const parallelScoringWorkflow = defineWorkflow({
  name: 'parallel-scoring',
  description: 'Scores two items at once',
  input: Input,
  definition: (start) =>
    start
      .parallel(
        'ScoreBoth',
        [
          (b) => b.lambdaStep('ScoreFirst', scoreItem, ($) => ({ itemId: $.first })),
          (b) => b.lambdaStep('ScoreSecond', scoreItem, ($) => ({ itemId: $.second })),
        ],
        { resultPath: '$.scores' },
      )
      .retry(retryPresets.lambdaServiceErrors({ intervalSeconds: 1, maxAttempts: 2 }))
      .catch(['States.ALL'], { resultPath: '$.failure', next: scoringFailed })
      .selectResult((scores) => ({ first: scores[0].Payload.score, second: scores[1].Payload.score }))
      .succeed('Scored'),
});
