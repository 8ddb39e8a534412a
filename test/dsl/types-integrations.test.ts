/**
 * Type tests of integrations and data (checked by `tsc --noEmit`): callback steps and `ctx.task.token`, service
 * requests typed from the AWS SDK, excess payload keys, result selectors, array indexing, batches, intrinsics.
 * Each `@ts-expect-error` line must not compile.
 */
import { expect } from 'chai';
import { expectTypeOf } from 'expect-type';
import { z } from 'zod';
import {
  type AnyChain,
  type Chain,
  type ChainOutput,
  defineJob,
  defineWorkflow,
  dynamodbGetItem,
  intrinsics,
  platformResource,
  type Ref,
  s3CsvItems,
  snsPublish,
  sqsSendMessage,
} from '../../dsl/index.ts';

const review = defineJob({
  name: 'review',
  description: 'Asks for a review',
  input: z.object({ documentId: z.string(), deadline: z.string().optional() }),
  output: z.object({ approved: z.boolean() }),
  runsOn: ['lambda', 'fargate'],
  module: 'test/dsl/review.ts',
  errors: ['Declined'],
});

const Input = z.object({ documentId: z.string(), reviewers: z.array(z.string()), queueUrl: z.string() });
type Input = z.infer<typeof Input>;

function flow(definition: (start: Chain<Input, Input, 'w'>) => AnyChain<'w'>) {
  return defineWorkflow({ name: 'integration-types', description: 'type test', input: Input, definition });
}

const reviews = platformResource('sqsQueue', 'reviews');

describe('DSL types: integrations and data', () => {
  it('gives a callback step `ctx.task.token`, and types its result as what the job sends back', () => {
    flow((start) => {
      const asked = start.lambdaStep('Ask', review, ($) => ({ documentId: $.documentId }), {
        integration: 'waitForTaskToken',
        heartbeatSeconds: 60,
        resultPath: '$.review',
      });
      expectTypeOf<ChainOutput<typeof asked>['review']>().toEqualTypeOf<{ approved: boolean }>();
      return asked
        .serviceStep(
          'Notify',
          ($, ctx) =>
            sqsSendMessage({
              QueueUrl: reviews,
              MessageBody: { documentId: $.documentId, token: ctx.task.token },
            }),
          {
            integration: 'waitForTaskToken',
            output: (_: { approved: boolean }) => undefined,
            resultPath: '$.answer',
          },
        )
        .succeed('Done');
    });
  });

  it('keeps `ctx.task.token` out of steps that do not wait for a callback', () => {
    expect(() =>
      flow((start) =>
        start
          .serviceStep('Notify', ($, ctx) =>
            sqsSendMessage({
              QueueUrl: reviews,
              // @ts-expect-error there is no task token: the step does not wait for a callback
              MessageBody: { documentId: $.documentId, token: ctx.task.token },
            }),
          )
          .succeed('Done'),
      ),
    ).to.throw(TypeError);
  });

  it('refuses a key the job input does not have, e.g. a misspelt optional one', () => {
    flow((start) =>
      start
        // @ts-expect-error `deadlin` is not a field of review's input (it would be dropped at run time)
        .lambdaStep('Ask', review, ($) => ({ documentId: $.documentId, deadlin: '2030-01-01' }))
        .succeed('Done'),
    );
  });

  it('types service requests from the AWS SDK input types, extra keys and wrong types refused', () => {
    flow((start) =>
      start
        .serviceStep('Lookup', ($) =>
          dynamodbGetItem({
            TableName: platformResource('dynamodbTable', 'documents'),
            Key: { id: { S: $.documentId } },
          }),
        )
        .succeed('Done'),
    );
    flow((start) =>
      start
        .serviceStep('Tell', ($) =>
          snsPublish({
            TopicArn: platformResource('snsTopic', 'news'),
            Message: $.documentId,
            // @ts-expect-error `Subjekt` is not a field of SNS Publish
            Subjekt: 'x',
          }),
        )
        .succeed('Done'),
    );
    flow((start) =>
      start
        // @ts-expect-error `Key` values are DynamoDB attribute values, not plain strings
        .serviceStep('Lookup', ($) => dynamodbGetItem({ TableName: 'documents', Key: { id: $.documentId } }))
        .succeed('Done'),
    );
  });

  it('refuses a callback on an integration that cannot make one', () => {
    expect(() =>
      flow((start) =>
        start
          .serviceStep(
            'Lookup',
            ($) => dynamodbGetItem({ TableName: 'documents', Key: { id: { S: $.documentId } } }),
            {
              // @ts-expect-error dynamodb:getItem has no .waitForTaskToken
              integration: 'waitForTaskToken',
            },
          )
          .succeed('Done'),
      ),
    ).to.throw("dynamodb:getItem does not support 'waitForTaskToken'");
  });

  it('selects a result from the raw one, and indexes arrays', () => {
    flow((start) => {
      const selected = start
        .parallel(
          'Both',
          [
            (b) => b.lambdaStep('A', review, ($) => ({ documentId: $.documentId })),
            (b) => b.pass('B', { result: { n: 1 } }),
          ],
          { resultPath: '$.both' },
        )
        .selectResult((results) => ({ approved: results[0].Payload.approved, n: results[1].n }));
      expectTypeOf<ChainOutput<typeof selected>['both']>().toEqualTypeOf<{ approved: boolean; n: 1 }>();
      return selected
        .pass('First', { parameters: ($) => ({ reviewer: $.reviewers[0] }), resultPath: '$.first' })
        .succeed('Done');
    });
  });

  it('types a batch of a distributed map: the items and the batch input', () => {
    flow((start) =>
      start
        .distributedMap(
          'EachRow',
          () =>
            s3CsvItems<{ user_id: string }>({
              bucket: platformResource('s3Bucket', 'audience'),
              key: 'rows.csv',
            }),
          { itemBatcher: { maxItemsPerBatch: 100, batchInput: ($) => ({ documentId: $.documentId }) } },
          (batch) => {
            expectTypeOf(batch).toEqualTypeOf<
              Chain<
                { readonly Items: { user_id: string }[]; readonly BatchInput: { documentId: string } },
                { readonly Items: { user_id: string }[]; readonly BatchInput: { documentId: string } },
                'w>m'
              >
            >();
            return batch.pass('Count', { parameters: ($) => ({ n: intrinsics.arrayLength($.Items) }) });
          },
        )
        .succeed('Done'),
    );
  });

  it('types every intrinsic by its arguments', () => {
    expectTypeOf(intrinsics.mathAdd(1, 2)).toEqualTypeOf<Ref<number, never>>();
    expectTypeOf(intrinsics.stringToJson<{ a: number }>('{"a":1}')).toEqualTypeOf<
      Ref<{ a: number }, never>
    >();
    // @ts-expect-error ArrayPartition needs an array reference, not a literal string
    intrinsics.arrayPartition('abc', 2);
  });
});
