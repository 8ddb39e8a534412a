import { pipeline, type Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parse } from 'csv-parse';
import type { RejectsFile } from '../import-audience/rejects-file.ts';
import type { RowRejection } from '../import-audience/row-rules.ts';

/** A shard's rejects part and the file lines before the shard's first line. */
export interface RejectsPart {
  readonly key: string;
  /** Added to the part's shard-local line numbers (the sum of the earlier shards' line counts). */
  readonly lineOffset: number;
}

/** The one reason that names another line of the file (the duplicate rule's), with that line. */
const DUPLICATE_OF_LINE = /^duplicate of line (\d+)$/;

/** A shard-local rejection made absolute: its line, and the line a "duplicate of line N" reason names. */
export function absoluteRejection(local: RowRejection, lineOffset: number): RowRejection {
  const duplicate = DUPLICATE_OF_LINE.exec(local.reason);
  return {
    ...local,
    line: local.line + lineOffset,
    reason: duplicate ? `duplicate of line ${Number(duplicate[1]) + lineOffset}` : local.reason,
  };
}

/**
 * Writes the shards' rejects parts, in shard order, as the import's one rejects file (`rejects/<importId>.csv`,
 * the same columns), each line made absolute; streamed part by part (csv-parse in, the import's RejectsFile out).
 * Returns the rows written; no file is created when no shard rejected a row.
 */
export async function mergeRejectsParts(
  s3: S3Client,
  bucket: string,
  parts: readonly RejectsPart[],
  target: RejectsFile,
): Promise<number> {
  for (const part of parts) {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: part.key }));
    const records = parse({ columns: true });
    // pipeline destroys the parser with a failed download's error, so the loop below throws it.
    pipeline(object.Body as Readable, records, () => undefined);
    for await (const record of records as AsyncIterable<Record<string, string>>) {
      const line = Number(record.line);
      if (!Number.isInteger(line) || line < 1) {
        throw new Error(`s3://${bucket}/${part.key}: line '${record.line}' is not a line number`);
      }
      const local: RowRejection = {
        kind: 'rejected',
        line,
        column: record.column ?? '',
        reason: record.reason ?? '',
        raw: record.raw ?? '',
      };
      await target.write(absoluteRejection(local, part.lineOffset));
    }
  }
  await target.close();
  return target.count;
}
