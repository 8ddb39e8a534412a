/**
 * How an uploaded object becomes an import: the one mapping from an S3 object key to the import workflow's
 * input and execution name, used by the local runner directly and reproduced on AWS by the EventBridge input
 * transformer plus the import starter workflow (`import-starter.ts`: a transformer can only copy fields, never split
 * a key, so the starter derives the ids with intrinsic functions and starts the import under its import id).
 *
 * Key layout: `imports/<userSegmentationId>/<importId>.csv`, ids of 1-80 characters from `A-Z a-z 0-9 _ -`
 * (so the import id is a valid execution name and nothing in the key is URL-encoded in events).
 */

/** Prefix of the objects that start an import. */
export const IMPORT_KEY_PREFIX = 'imports/';

/** The import workflow's input: what the import-audience job needs to find its object and label its rows. */
export interface ImportWorkflowInput {
  readonly importId: string;
  readonly userSegmentationId: string;
  readonly s3Bucket: string;
  readonly s3Key: string;
}

/** What EventBridge hands the import starter: the bucket and key of the created object. */
export interface ImportObjectRef {
  readonly s3Bucket: string;
  readonly s3Key: string;
}

/** An object key that does not follow the import layout. */
export class NotAnImportKeyError extends Error {
  override readonly name = 'NotAnImportKey';
}

const ID = '[A-Za-z0-9_-]{1,80}';
const IMPORT_KEY = new RegExp(`^imports/(${ID})/(${ID})\\.csv$`);
/** The key layout of an import, as error messages state it. */
export const IMPORT_KEY_LAYOUT =
  'imports/<userSegmentationId>/<importId>.csv (ids: 1-80 characters of A-Z a-z 0-9 _ -)';

/** Maps a created object to the import workflow's input; throws {@link NotAnImportKeyError} naming the key otherwise. */
export function importInputFromObject({ s3Bucket, s3Key }: ImportObjectRef): ImportWorkflowInput {
  const match = IMPORT_KEY.exec(s3Key);
  if (!match) {
    throw new NotAnImportKeyError(
      `Object key '${s3Key}' in bucket '${s3Bucket}' is not an import: expected ${IMPORT_KEY_LAYOUT}`,
    );
  }
  const [, userSegmentationId, importId] = match as unknown as [string, string, string];
  return { importId, userSegmentationId, s3Bucket, s3Key };
}

/** The import execution's name: the import id, so a second start of the same import is refused and absorbed. */
export function importExecutionName(input: ImportWorkflowInput): string {
  return input.importId;
}

/** The EventBridge pattern matching objects created under `imports/` with the import layout's shape. */
export function importEventPattern(bucketName: string): Record<string, unknown> {
  return {
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    detail: {
      bucket: { name: [bucketName] },
      object: { key: [{ wildcard: `${IMPORT_KEY_PREFIX}*/*.csv` }] },
    },
  };
}

/** The EventBridge input transformer: the created object's bucket and key, as an {@link ImportObjectRef}. */
export const importEventInputTransformer = {
  inputPaths: { s3Bucket: '$.detail.bucket.name', s3Key: '$.detail.object.key' },
  inputTemplate: '{"s3Bucket": <s3Bucket>, "s3Key": <s3Key>}',
} as const;

/** Error the import starter fails with when a key matched the event pattern but not the layout. */
export const NOT_AN_IMPORT_KEY = 'NotAnImportKey';
