import type { Readable } from 'node:stream';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  NoSuchKey,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { JobError } from '../runtime/job-error.ts';
import { csvBytes } from './csv-bytes.ts';

/** The object an import reads. */
export interface SourceObjectRef {
  readonly bucket: string;
  readonly key: string;
  /** The import it belongs to, for messages. */
  readonly importId: string;
}

/** An opened import object: its CSV text bytes (decompressed when gzip), and what is known of its size. */
export interface ImportSource {
  /** `s3://bucket/key`, for messages. */
  readonly url: string;
  /** CSV text bytes, pulled from S3 as they are read. */
  readonly chunks: AsyncIterable<Buffer>;
  /** The ETag of the object read (a resumed run reads the same object with If-Match). */
  readonly etag: string;
  /** The object's size in bytes (compressed when gzip), when S3 said it. */
  readonly size: number | undefined;
  /** True when the object is gzip data. */
  readonly compressed: boolean;
  /** Object bytes read from S3 so far (compressed bytes when gzip). */
  bytesRead(): number;
  /**
   * Rows the whole object should hold, from the rows read so far and the CSV bytes they took: undefined until
   * something was read or when the size is unknown. An estimate, for progress and to pre-size the duplicate table.
   */
  estimateRows(rowsRead: number, csvBytesRead: number): number | undefined;
  /** Stops reading (the import ended early). */
  destroy(): void;
}

/**
 * GetObject of an import object, from byte `from` on when given (a ranged read of one block or shard). With `etag`
 * the read is conditional (If-Match): an object replaced since the import began is InvalidInput. A missing
 * object or bucket is SourceNotFound.
 */
export async function getImportObject(
  s3: S3Client,
  ref: SourceObjectRef,
  etag: string | undefined,
  from?: number,
): Promise<GetObjectCommandOutput> {
  const url = `s3://${ref.bucket}/${ref.key}`;
  try {
    return await s3.send(
      new GetObjectCommand({
        Bucket: ref.bucket,
        Key: ref.key,
        ...(etag ? { IfMatch: etag } : {}),
        ...(from === undefined ? {} : { Range: `bytes=${from}-` }),
      }),
    );
  } catch (error) {
    if (
      error instanceof NoSuchKey ||
      (error instanceof S3ServiceException && error.name === 'NoSuchBucket')
    ) {
      throw new JobError('SourceNotFound', `${url} does not exist (${error.name})`, { cause: error });
    }
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 412) {
      throw new JobError(
        'InvalidInput',
        `${url} changed since import ${ref.importId} began reading it (ETag was ${etag}); import it under a new import id`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Opens an import object from its start: its CSV text (gunzipped when gzip; other encodings refused). With `etag`
 * the read is conditional, as {@link getImportObject}'s.
 */
export async function openSourceObject(
  s3: S3Client,
  ref: SourceObjectRef,
  etag: string | undefined,
): Promise<ImportSource> {
  const url = `s3://${ref.bucket}/${ref.key}`;
  const object = await getImportObject(s3, ref, etag);
  const body = object.Body as Readable;
  const counted = countBytes(body);
  const compression = { gzip: false };
  const chunks = csvBytes(counted.chunks, {
    name: ref.key,
    contentEncoding: object.ContentEncoding,
    onGzip: () => {
      compression.gzip = true;
    },
  });
  const size = object.ContentLength;
  return {
    url,
    chunks,
    etag: object.ETag ?? '',
    size,
    get compressed() {
      return compression.gzip;
    },
    bytesRead: () => counted.bytes(),
    estimateRows: (rowsRead, csvBytesRead) =>
      rowEstimate(size, rowsRead, compression.gzip ? counted.bytes() : csvBytesRead),
    destroy: () => body.destroy(),
  };
}

/** Rows in `size` bytes at the rate of `rows` in `bytes`. */
export function rowEstimate(size: number | undefined, rows: number, bytes: number): number | undefined {
  return size !== undefined && rows > 0 && bytes > 0 ? Math.round((size * rows) / bytes) : undefined;
}

/** The body's chunks, counting the bytes pulled. */
function countBytes(body: AsyncIterable<Uint8Array>): {
  chunks: AsyncIterable<Uint8Array>;
  bytes: () => number;
} {
  let bytes = 0;
  async function* chunks() {
    for await (const chunk of body) {
      bytes += chunk.length;
      yield chunk;
    }
  }
  return { chunks: chunks(), bytes: () => bytes };
}
