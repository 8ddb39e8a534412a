import {
  GetObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { csvBytes } from '../import-audience/csv-bytes.ts';
import { CsvFileError } from '../import-audience/row-rules.ts';
import { JobError } from '../runtime/job-error.ts';
import type { ObjectFacts } from './plan-rules.ts';

/** Bytes read from the front of the object to tell its encoding (gzip's header is 10 bytes). */
const SNIFF_RANGE_BYTES = 64;

/**
 * The size, ETag and encoding of an import object: HeadObject, then a ranged GET of its first bytes (If-Match on
 * the ETag just read) through the import's own detection (`csvBytes`): gzip by its magic bytes, a `.gz` key or
 * `Content-Encoding: gzip`. What the import would refuse at its first bytes (UTF-16, a ZIP archive, a `.gz`
 * key over text) is InvalidInput here already, with the import's words; a missing object is SourceNotFound.
 */
export async function readObjectFacts(s3: S3Client, bucket: string, key: string): Promise<ObjectFacts> {
  const url = `s3://${bucket}/${key}`;
  let head: HeadObjectCommandOutput;
  try {
    head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    // HeadObject has no body, so a missing key or bucket is only a 404.
    if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) {
      throw new JobError('SourceNotFound', `${url} does not exist (${error.name})`, { cause: error });
    }
    throw error;
  }
  const size = head.ContentLength ?? 0;
  const etag = head.ETag ?? '';
  if (size === 0) return { size, etag, compressed: false };
  const object = await s3.send(
    new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      Range: `bytes=0-${SNIFF_RANGE_BYTES - 1}`,
      ...(etag ? { IfMatch: etag } : {}),
    }),
  );
  const front = Buffer.from(await object.Body!.transformToByteArray());
  return { size, etag, compressed: await isGzip(front, key, head.ContentEncoding, url) };
}

/** Whether the import's reader takes these first bytes for gzip; a refusal becomes InvalidInput. */
async function isGzip(
  front: Buffer,
  name: string,
  contentEncoding: string | undefined,
  url: string,
): Promise<boolean> {
  let gzip = false;
  const text = csvBytes(oneChunk(front), {
    name,
    contentEncoding,
    onGzip: () => {
      gzip = true;
    },
  });
  try {
    await text.next();
  } catch (error) {
    // The front of a gzip stream alone is truncated gzip: expected here, and the magic bytes were seen.
    if (gzip) return true;
    if (error instanceof CsvFileError)
      throw new JobError('InvalidInput', `${url}: ${error.message}`, { cause: error });
    throw error;
  } finally {
    await text.return(undefined);
  }
  return gzip;
}

async function* oneChunk(bytes: Buffer): AsyncGenerator<Buffer> {
  yield bytes;
}
