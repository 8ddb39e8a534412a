import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { stringify } from 'csv-stringify';
import type { RowRejection } from './row-rules.ts';

/** Where an import's rejected rows go: `rejects/<importId>.csv` in the source bucket. */
export function rejectsKey(importId: string): string {
  return `rejects/${importId}.csv`;
}

/**
 * The rejects CSV (line, column, reason, raw), streamed to S3 by multipart upload. The upload starts with
 * the first rejected row, so a clean import leaves no file.
 */
export class RejectsFile {
  private csv: ReturnType<typeof stringify> | undefined;
  private upload: Promise<unknown> | undefined;
  private failure: unknown;
  /** Rows written so far. */
  count = 0;

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly key: string,
  ) {}

  /** The file's address, for messages. */
  get url(): string {
    return `s3://${this.bucket}/${this.key}`;
  }

  /** Appends one rejected row, waiting when the upload is behind; throws when the upload failed. */
  async write(rejection: RowRejection): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.csv) this.start();
    this.count++;
    const row = [rejection.line, rejection.column, rejection.reason, rejection.raw];
    // A failed upload stops reading its body, so 'drain' never comes: wait for whichever happens first.
    if (!this.csv!.write(row)) await Promise.race([once(this.csv!, 'drain'), this.upload]);
    if (this.failure) throw this.failure;
  }

  /** Completes the upload (when any row was written). */
  async close(): Promise<void> {
    if (!this.csv) return;
    this.csv.end();
    await this.upload;
    if (this.failure) throw this.failure;
  }

  private start(): void {
    const body = new PassThrough();
    this.csv = stringify({ header: true, columns: ['line', 'column', 'reason', 'raw'] });
    this.csv.pipe(body);
    this.upload = new Upload({
      client: this.s3,
      params: { Bucket: this.bucket, Key: this.key, Body: body, ContentType: 'text/csv; charset=utf-8' },
      queueSize: 1,
      partSize: 5 * 1024 * 1024,
    })
      .done()
      .catch((error: unknown) => {
        this.failure = error;
        body.destroy();
      });
  }
}
