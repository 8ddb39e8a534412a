import type { S3Client } from '@aws-sdk/client-s3';
import { CsvScanner } from './csv-scanner.ts';
import { RecordRules } from './record-rules.ts';
import { CsvFileError, type CsvHeader, MAX_ROW_BYTES } from './row-rules.ts';
import { openSourceObject, type SourceObjectRef } from './source-object.ts';

/** An import object's header and what the rest of its reading needs to know. */
export interface ObjectHeader {
  readonly header: CsvHeader;
  /** Offset of the first byte after the header record (of the decompressed text when gzip). */
  readonly headerEnd: number;
  /** Physical lines of the header record. */
  readonly headerLines: number;
  /** True when the object is gzip (its text can only be read from the start). */
  readonly compressed: boolean;
  readonly etag: string;
  /** The object's size in bytes (compressed when gzip). */
  readonly size: number;
}

/**
 * Reads an object's header from its start (through `csvBytes`: gzip is unpacked, other encodings refused) and
 * stops there. An empty object or a bad header is a CsvFileError; with `etag` the read is If-Match.
 */
export async function readObjectHeader(
  s3: S3Client,
  ref: SourceObjectRef,
  etag: string | undefined,
): Promise<ObjectHeader> {
  const object = await openSourceObject(s3, ref, etag);
  let found: { end: number; lines: number } | undefined;
  const scanner = new CsvScanner(
    {
      record: (record) => {
        if (found) return;
        rules.classify(record);
        found = { end: record.end, lines: record.lineCount };
      },
      failure: (failure) => {
        if (!found) rules.reject(failure);
      },
    },
    { maxRecordBytes: MAX_ROW_BYTES },
  );
  const rules = new RecordRules(scanner, undefined, undefined);
  try {
    for await (const chunk of object.chunks) {
      scanner.push(chunk);
      if (found) break;
    }
    if (!found) scanner.end();
  } finally {
    object.destroy();
  }
  if (!found || !rules.header) {
    throw new CsvFileError('file is empty; a header row with a user_id column is required');
  }
  return {
    header: rules.header,
    headerEnd: found.end,
    headerLines: found.lines,
    compressed: object.compressed,
    etag: object.etag,
    size: object.size ?? 0,
  };
}
