import { expect } from 'chai';
import { RejectsFile } from '../../jobs/import-audience/rejects-file.ts';
import { s3Client } from '../../jobs/runtime/clients.ts';
import { runtimeConfig } from '../../jobs/runtime/config.ts';
import { createBucket, localJobDeps } from './support.ts';

describe('import rejects file', () => {
  it('fails the writer, instead of waiting forever, when the multipart upload is refused mid-stream', async function () {
    this.timeout(60_000);
    const deps = await localJobDeps();
    const bucket = await createBucket(deps.s3);
    // A real S3 client whose UploadPart calls are refused, as an IAM denial or a lost bucket would be.
    const s3 = s3Client(runtimeConfig(process.env));
    s3.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'UploadPartCommand') throw new Error('UploadPart refused by the test');
        return next(args);
      },
      { step: 'initialize', name: 'refuseUploadPart' },
    );
    const rejects = new RejectsFile(s3, bucket, 'rejects/refused.csv');
    const raw = 'x'.repeat(1000);
    let error: unknown;
    try {
      // 20,000 rows of about 1 KB: several 5 MiB parts, so writes wait for the upload to read its body.
      for (let line = 2; line < 20_002; line++) {
        await rejects.write({ kind: 'rejected', line, column: 'user_id', reason: 'test', raw });
      }
      await rejects.close();
    } catch (caught) {
      error = caught;
    }
    expect(error, 'the refused upload surfaces as an error').to.be.instanceOf(Error);
    expect((error as Error).message).to.contain('UploadPart refused by the test');
    s3.destroy();
  });
});
