import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { s3Client } from '../../jobs/runtime/clients.ts';
import type { RuntimeConfig } from '../../jobs/runtime/config.ts';

/**
 * A real S3 client whose GetObject bodies break after `bytes` bytes, as a connection reset would:
 * the fault is injected into the real response stream from the S3 API.
 */
export function failingAfterBytes(config: RuntimeConfig, bytes: number): S3Client {
  const s3 = s3Client(config);
  s3.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const output = result.output as { Body?: Readable };
      if (output.Body instanceof Readable) {
        const source = output.Body;
        let seen = 0;
        output.Body = new Readable({
          read() {
            source.resume();
          },
          // A reader that stops early (the import reads a header, then closes) closes the connection too.
          destroy(error, callback) {
            source.destroy();
            callback(error);
          },
        });
        const body = output.Body;
        source.on('error', (error) => body.destroy(error));
        source.on('data', (chunk: Buffer) => {
          if (seen + chunk.length > bytes) {
            body.push(chunk.subarray(0, Math.max(0, bytes - seen)));
            seen = bytes;
            source.destroy();
            body.destroy(new Error(`connection reset by the test after ${bytes} bytes`));
            return;
          }
          seen += chunk.length;
          if (!body.push(chunk)) source.pause();
        });
        source.on('end', () => body.push(null));
      }
      return result;
    },
    { step: 'initialize', name: 'failAfterBytes' },
  );
  return s3;
}
