/**
 * How an uploaded object becomes an import: the EventBridge rule and input transformer that hand the created
 * object's bucket and key to the import starter workflow (`import-starter.ts`), and the import's execution name.
 * The key → input mapping itself is the `import-key` job's (`jobs/import-key/key-layout.ts`), re-exported here
 * for the local runner, which applies it directly.
 */
import {
  IMPORT_KEY_EXTENSIONS,
  IMPORT_KEY_PREFIX,
  type ImportWorkflowInput,
} from '../jobs/import-key/key-layout.ts';

export {
  IMPORT_KEY_EXTENSIONS,
  IMPORT_KEY_LAYOUT,
  IMPORT_KEY_PREFIX,
  type ImportObjectRef,
  type ImportWorkflowInput,
  importInputFromObject,
  NOT_AN_IMPORT_KEY,
  NotAnImportKeyError,
} from '../jobs/import-key/key-layout.ts';

/** The import execution's name: the import id, so a second start of the same import is refused and absorbed. */
export function importExecutionName(input: ImportWorkflowInput): string {
  return input.importId;
}

/**
 * The EventBridge pattern for objects created in the one bucket as `imports/<segment>/<importId>` with `.csv` or
 * `.csv.gz`, as wildcards. A wildcard's star also spans `/` and a pattern cannot AND two tests of one field, so
 * `imports/a/b/c.csv` still matches: the starter's `import-key` step refuses it (NotAnImportKey), with every other
 * key outside the layout.
 */
export function importEventPattern(bucketName: string): Record<string, unknown> {
  return {
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    detail: {
      bucket: { name: [bucketName] },
      object: {
        key: IMPORT_KEY_EXTENSIONS.map((extension) => ({ wildcard: `${IMPORT_KEY_PREFIX}*/*${extension}` })),
      },
    },
  };
}

/** The EventBridge input transformer: the created object's bucket and key, as an `ImportObjectRef`. */
export const importEventInputTransformer = {
  inputPaths: { s3Bucket: '$.detail.bucket.name', s3Key: '$.detail.object.key' },
  inputTemplate: '{"s3Bucket": <s3Bucket>, "s3Key": <s3Key>}',
} as const;
