/**
 * The one mapping from an uploaded object's key to the import workflow's input and execution name. The
 * `import-key` job applies it on AWS (the import starter's first step); the local runner calls it directly.
 *
 * Key layout: `imports/<userSegmentationId>/<importId>.csv` or `.csv.gz`, ids of 1-80 characters from
 * `A-Z a-z 0-9 _ -` (so the import id is a valid execution name and nothing in the key is URL-encoded in events).
 */

/** Prefix of the objects that start an import. */
export const IMPORT_KEY_PREFIX = 'imports/';

/** File extensions of an import object: plain or gzip-compressed CSV. */
export const IMPORT_KEY_EXTENSIONS = ['.csv', '.csv.gz'] as const;

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

/** Error name of a key that does not follow the import layout (the import starter fails with it). */
export const NOT_AN_IMPORT_KEY = 'NotAnImportKey';

/** An object key that does not follow the import layout. */
export class NotAnImportKeyError extends Error {
  override readonly name = NOT_AN_IMPORT_KEY;
}

const ID = '[A-Za-z0-9_-]{1,80}';
const IMPORT_KEY = new RegExp(`^imports/(${ID})/(${ID})\\.csv(?:\\.gz)?$`);

/** The key layout of an import, as error messages state it. */
export const IMPORT_KEY_LAYOUT =
  'imports/<userSegmentationId>/<importId>.csv or .csv.gz (ids: 1-80 characters of A-Z a-z 0-9 _ -)';

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
