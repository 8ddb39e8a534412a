import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/** A CSV object being written to S3 by multipart upload (8 MiB parts, two in flight). */
export interface CsvUpload {
  /** Appends CSV (whole lines, text or UTF-8 bytes); resolves once the upload can take more, so memory stays bounded. */
  write(csv: string | Uint8Array): Promise<void>;
  /** Ends the object and waits until S3 has it; returns its size in bytes. */
  finish(): Promise<number>;
  /** Drops the upload: no object appears. */
  abort(): Promise<void>;
}

/** Starts the multipart upload of a CSV object to `s3://bucket/key`. */
export function openCsvUpload(s3: S3Client, bucket: string, key: string): CsvUpload {
  // Room for a part and more, so CSV is written ahead while the previous parts are uploaded.
  const body = new PassThrough({ highWaterMark: 16 * 1024 * 1024 });
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: body, ContentType: 'text/csv; charset=utf-8' },
    queueSize: 2,
    partSize: 8 * 1024 * 1024,
  });
  let bytesWritten = 0;
  let failure: unknown;
  // done() starts the upload: called once, its promise serves both the writer and finish().
  const uploaded = upload.done();
  // Settles only when the upload fails: a writer waiting for room must not wait on a dead upload.
  const failed = new Promise<never>((_, reject) => {
    uploaded.catch((error: unknown) => {
      failure = error;
      body.destroy();
      reject(error);
    });
  });
  failed.catch(() => undefined);
  return {
    write: async (csv) => {
      if (failure) throw failure;
      if (csv.length === 0) return;
      const bytes = typeof csv === 'string' ? Buffer.from(csv) : csv;
      bytesWritten += bytes.length;
      if (!body.write(bytes)) await Promise.race([once(body, 'drain'), failed]);
    },
    finish: async () => {
      if (failure) throw failure;
      body.end();
      await uploaded;
      return bytesWritten;
    },
    abort: async () => {
      body.destroy();
      await upload.abort().catch(() => undefined);
    },
  };
}
