import { z } from 'zod';
import { defineWorkflow, intrinsics, platformResource, s3CsvItems } from '../../../dsl/index.ts';
import { scoreItem } from './jobs/score-item.ts';

/**
 * A distributed map over an S3 CSV: rows read by the map (ItemReader), grouped 500 to a child execution
 * (ItemBatcher, with the source key as batch input), results written to S3 (ResultWriter) instead of the state.
 */
export const audienceBatchesWorkflow = defineWorkflow({
  name: 'audience-batches',
  description: 'Scores the users of a CSV object in batches of 500',
  input: z.object({ s3Key: z.string() }),
  definition: (start) =>
    start
      .distributedMap(
        'EachBatch',
        ($) =>
          s3CsvItems<{ user_id: string }>({ bucket: platformResource('s3Bucket', 'audience'), key: $.s3Key }),
        {
          itemBatcher: { maxItemsPerBatch: 500, batchInput: ($) => ({ sourceKey: $.s3Key }) },
          resultWriter: { bucket: platformResource('s3Bucket', 'audience'), prefix: 'batch-results' },
          maxConcurrency: 10,
          toleratedFailurePercentage: 5,
          label: 'AudienceBatches',
          resultPath: '$.batches',
        },
        (batch) =>
          batch.lambdaStep('ScoreBatch', scoreItem, ($) => ({
            itemId: intrinsics.format(
              '{} ({} rows)',
              $.BatchInput.sourceKey,
              intrinsics.arrayLength($.Items),
            ),
          })),
      )
      .pass('Report', {
        parameters: ($) => ({ manifest: $.batches.ResultWriterDetails.Key }),
        resultPath: '$.report',
      })
      .succeed('Done'),
});
