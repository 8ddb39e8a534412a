import { z } from 'zod';
import { conditions, defineWorkflow, fragment, intrinsics } from '../dsl/index.ts';
import { importAudienceWorkflow } from './import-audience.ts';
import { IMPORT_KEY_LAYOUT, NOT_AN_IMPORT_KEY } from './import-trigger.ts';

/** What the EventBridge rule hands the starter: the created object's bucket and key. */
export const ImportStarterInput = z.object({
  s3Bucket: z.string().min(3).max(63),
  s3Key: z.string().min(1).max(1024),
});

const { stringSplit, arrayGetItem, arrayLength } = intrinsics;

/** Ends the starter when the key is not `imports/<userSegmentationId>/<importId>.csv`. */
const notAnImportKey = fragment<unknown>().fail('NotAnImportKey', {
  error: NOT_AN_IMPORT_KEY,
  cause: `Expected ${IMPORT_KEY_LAYOUT}`,
});

/**
 * import-starter: S3 → EventBridge → here → import-audience. An EventBridge input transformer can only copy
 * fields, so this derives the import's typed input from the object key with intrinsic functions (the same
 * mapping as `importInputFromObject`) and starts the import workflow named after the import id: a repeated
 * S3 event for the same object is refused by Step Functions (ExecutionAlreadyExists) and absorbed here.
 */
export const importStarterWorkflow = defineWorkflow({
  name: 'import-starter',
  description: `Starts the import workflow for an object created as ${IMPORT_KEY_LAYOUT}, named after its import id`,
  input: ImportStarterInput,
  timeoutSeconds: 5 * 60,
  definition: (start) =>
    start
      .pass('SplitKey', {
        parameters: ($) => ({
          s3Bucket: $.s3Bucket,
          s3Key: $.s3Key,
          segments: stringSplit($.s3Key, '/'),
          segmentCount: arrayLength(stringSplit($.s3Key, '/')),
          prefix: arrayGetItem(stringSplit($.s3Key, '/'), 0),
        }),
      })
      .choice(
        'CheckSegments',
        ($) => [
          {
            condition: conditions.and(conditions.eq($.segmentCount, 3), conditions.eq($.prefix, 'imports')),
            steps: (b) => b,
          },
        ],
        (otherwise) => otherwise.goto(notAnImportKey),
      )
      .pass('SplitFileName', {
        parameters: ($) => ({
          s3Bucket: $.s3Bucket,
          s3Key: $.s3Key,
          userSegmentationId: arrayGetItem($.segments, 1),
          fileName: stringSplit(arrayGetItem($.segments, 2), '.'),
          fileNameParts: arrayLength(stringSplit(arrayGetItem($.segments, 2), '.')),
        }),
      })
      .choice(
        'CheckFileName',
        ($) => [{ condition: conditions.eq($.fileNameParts, 2), steps: (b) => b }],
        (otherwise) => otherwise.goto(notAnImportKey),
      )
      .pass('BuildImportInput', {
        parameters: ($) => ({
          importId: arrayGetItem($.fileName, 0),
          extension: arrayGetItem($.fileName, 1),
          userSegmentationId: $.userSegmentationId,
          s3Bucket: $.s3Bucket,
          s3Key: $.s3Key,
        }),
      })
      .choice(
        'CheckExtension',
        ($) => [{ condition: conditions.eq($.extension, 'csv'), steps: (b) => b }],
        (otherwise) => otherwise.goto(notAnImportKey),
      )
      .startWorkflowStep(
        'StartImport',
        importAudienceWorkflow,
        ($) => ({
          importId: $.importId,
          userSegmentationId: $.userSegmentationId,
          s3Bucket: $.s3Bucket,
          s3Key: $.s3Key,
        }),
        { executionName: ($) => $.importId, resultPath: '$.execution' },
      )
      .retry({
        errors: ['StepFunctions.ExecutionLimitExceededException'],
        intervalSeconds: 5,
        maxAttempts: 6,
        backoffRate: 2,
        jitter: 'FULL',
      })
      .catch(['StepFunctions.ExecutionAlreadyExistsException'], {
        resultPath: null,
        next: fragment<unknown>().succeed('AlreadyStarted', {
          comment: 'A duplicate event for an import already started: absorbed',
        }),
      })
      .succeed('ImportStarted'),
});
