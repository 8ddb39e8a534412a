import { expect } from 'chai';
import { exportAudience } from '../../jobs/export-audience/job.ts';
import { runFargateJob } from '../../jobs/runtime/fargate.ts';
import { JobError } from '../../jobs/runtime/job-error.ts';
import { jobInputFromEnv } from '../../jobs/runtime/job-input.ts';

const INPUT = { EXPORT_ID: 'e1', USER_SEGMENTATION_ID: 's1', IMPORT_ID: 'i1', S3_BUCKET: 'audience-bucket' };

describe('export-audience: the target key (input validation, before any request)', () => {
  for (const key of ['exports/e1.csv', 'exports/segment/2026/e1.csv']) {
    it(`accepts ${key}`, () => {
      expect(jobInputFromEnv(exportAudience, { ...INPUT, S3_KEY: key })).to.deep.include({ s3Key: key });
    });
  }

  for (const key of [
    'imports/s1/i1.csv',
    'rejects/i1.csv',
    'e1.csv',
    'export/e1.csv',
    'exports/',
    'exports//e1.csv',
    'exports/../imports/s1/i1.csv',
    'exports/./e1.csv',
  ]) {
    it(`refuses ${key} as InvalidInput naming the field`, () => {
      expect(() => jobInputFromEnv(exportAudience, { ...INPUT, S3_KEY: key }))
        .to.throw(JobError, 's3Key')
        .with.property('name', 'InvalidInput');
    });
  }

  it('the Fargate entry exits 2 (not retried) for a target under imports/, without touching S3', async () => {
    const lines: string[] = [];
    const { exitCode, summary } = await runFargateJob(
      ['export-audience'],
      { ...INPUT, S3_KEY: 'imports/s1/i1.csv' },
      (line) => lines.push(line),
      () => {
        throw new Error('no client may be built for an invalid input');
      },
    );
    expect(exitCode).to.equal(2);
    expect(summary).to.deep.include({ ok: false, error: 'InvalidInput' });
    expect(String(summary.message)).to.contain("must start with 'exports/'");
  });
});
