import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { csvBytes } from '../../jobs/import-audience/csv-bytes.ts';
import { CsvRows } from '../../jobs/import-audience/csv-rows.ts';
import { CsvFileError, type RowRejection } from '../../jobs/import-audience/row-rules.ts';
import { UserRecord } from '../../jobs/runtime/audience-records.ts';
import { importInputFromObject } from '../../workflows/import-trigger.ts';

/** What a preview found in the first records of a file, without producing anything. */
export interface ImportPreview {
  readonly source: string;
  readonly columns: string[];
  /** The first records as the import would produce them (Kafka key and value). */
  readonly produced: { line: number; key: string; value: UserRecord }[];
  /** Every rejection among the records read, with line, column and reason. */
  readonly rejections: RowRejection[];
  readonly rowsRead: number;
  readonly rowsValid: number;
  /** True when the file ended before the record limit. */
  readonly complete: boolean;
}

/** Options of a preview. */
export interface PreviewOptions {
  /** Records shown as produced. @default 10 */
  readonly rows?: number;
  /** Data records read at most. @default 10000 */
  readonly maxRecords?: number;
  /** S3 client for `s3://` sources. */
  readonly s3?: S3Client;
}

/**
 * Reads the start of an import source (`s3://bucket/key` or `file:///path`) with the import job's own parser and
 * validator, and says what the import would produce and reject. Throws naming the file when the header is invalid.
 */
export async function previewImport(uri: string, options: PreviewOptions = {}): Promise<ImportPreview> {
  const { rows = 10, maxRecords = 10_000 } = options;
  const { body, ids, contentEncoding } = await openSource(uri, options.s3);
  const reader = await CsvRows.create();
  const produced: ImportPreview['produced'] = [];
  const rejections: RowRejection[] = [];
  let rowsRead = 0;
  let rowsValid = 0;
  let complete = true;
  try {
    for await (const item of reader.rows(csvBytes(body, { name: uri, contentEncoding }))) {
      if (rowsRead >= maxRecords) {
        complete = false;
        break;
      }
      rowsRead++;
      if (item.kind === 'rejected') rejections.push(item);
      else {
        rowsValid++;
        if (produced.length < rows) {
          const value = UserRecord.parse({
            type: 'user',
            ...ids,
            userId: item.userId,
            attributes: item.attributes,
          });
          produced.push({ line: item.line, key: item.userId, value });
        }
      }
    }
  } catch (error) {
    if (error instanceof CsvFileError) throw new Error(`${uri}: ${error.message}`);
    throw error;
  } finally {
    body.destroy();
  }
  const columns = reader.header?.columns ?? [];
  return { source: uri, columns, produced, rejections, rowsRead, rowsValid, complete };
}

async function openSource(
  uri: string,
  s3: S3Client | undefined,
): Promise<{
  body: Readable;
  ids: { importId: string; userSegmentationId: string };
  contentEncoding?: string | undefined;
}> {
  const placeholder = { importId: '(preview)', userSegmentationId: '(preview)' };
  if (uri.startsWith('file://')) return { body: createReadStream(fileURLToPath(uri)), ids: placeholder };
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new Error(`'${uri}' is not a source: expected s3://<bucket>/<key> or file:///<path>`);
  if (!s3) throw new Error(`an S3 client is needed to preview ${uri}`);
  const [, bucket, key] = match as unknown as [string, string, string];
  let ids = placeholder;
  try {
    const input = importInputFromObject({ s3Bucket: bucket, s3Key: key });
    ids = { importId: input.importId, userSegmentationId: input.userSegmentationId };
  } catch {
    // A key outside the import layout can still be previewed; its ids stay placeholders.
  }
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return { body: object.Body as Readable, ids, contentEncoding: object.ContentEncoding };
}
