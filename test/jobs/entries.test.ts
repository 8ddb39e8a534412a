import { expect } from 'chai';
import { envVarName } from '../../dsl/job.ts';
import { allJobs, importAudience } from '../../jobs/index.ts';
import { jobDeps } from '../../jobs/runtime/clients.ts';
import { runtimeConfig } from '../../jobs/runtime/config.ts';
import { fargateCommand, lambdaHandlerName } from '../../jobs/runtime/entry-points.ts';
import { ExitCode, runFargateJob } from '../../jobs/runtime/fargate.ts';
import { JobError } from '../../jobs/runtime/job-error.ts';
import { jobInputFromEnv } from '../../jobs/runtime/job-input.ts';

const importEnv = {
  IMPORT_ID: 'imp-1',
  USER_SEGMENTATION_ID: 'seg-1',
  S3_BUCKET: 'bucket',
  S3_KEY: 'imports/a.csv',
};

describe('job entries', () => {
  it('reads Fargate input from UPPER_SNAKE_CASE variables, converting numbers per the schema', () => {
    expect(envVarName('maxRejectedRows')).to.equal('MAX_REJECTED_ROWS');
    expect(jobInputFromEnv(importAudience, { ...importEnv, MAX_REJECTED_ROWS: '5' })).to.deep.equal({
      importId: 'imp-1',
      userSegmentationId: 'seg-1',
      s3Bucket: 'bucket',
      s3Key: 'imports/a.csv',
      maxRejectedRows: 5,
    });
    expect(jobInputFromEnv(importAudience, importEnv).maxRejectedRows).to.equal(1000);
  });

  it('names the variable and the field of invalid Fargate input', () => {
    for (const [value, message] of [
      ['abc', /MAX_REJECTED_ROWS \(maxRejectedRows\): .*expected number/],
      ['-1', /MAX_REJECTED_ROWS \(maxRejectedRows\): .*>=0/],
      ['1.5', /MAX_REJECTED_ROWS \(maxRejectedRows\): .*int/],
    ] as const) {
      try {
        jobInputFromEnv(importAudience, { ...importEnv, MAX_REJECTED_ROWS: value });
        expect.fail(`accepted ${value}`);
      } catch (error) {
        expect(error).to.be.instanceOf(JobError);
        expect((error as JobError).name).to.equal('InvalidInput');
        expect((error as JobError).message).to.match(message);
      }
    }
  });

  it('derives handler names and container commands from job names', () => {
    expect(allJobs.map((job) => lambdaHandlerName(job))).to.deep.equal([
      'dist/lambda.importKey',
      'dist/lambda.audienceStatus',
      'dist/lambda.planImport',
      'dist/lambda.importAudience',
      'dist/lambda.closeShardedImport',
      'dist/lambda.sendEndMarker',
      'dist/lambda.exportAudience',
    ]);
    expect(fargateCommand(importAudience)).to.deep.equal(['dist/jobs.mjs', 'import-audience']);
  });

  it('exits 2 with a summary line for an unknown job or invalid input', async () => {
    const lines: string[] = [];
    const unknown = await runFargateJob(['nope'], {}, (line) => lines.push(line));
    expect(unknown.exitCode).to.equal(ExitCode.nonRetryable);
    expect(JSON.parse(lines.at(-1)!)).to.include({ type: 'summary', ok: false, error: 'InvalidInput' });
    const invalid = await runFargateJob(['import-audience'], { IMPORT_ID: 'x' }, (line) => lines.push(line));
    expect(invalid.exitCode).to.equal(ExitCode.nonRetryable);
    expect(invalid.summary.message).to.match(/S3_BUCKET \(s3Bucket\)/);
    const badConfig = await runFargateJob(
      ['import-audience'],
      { ...importEnv, IMPORT_CHUNK_ROWS: 'many' },
      () => undefined,
    );
    expect(badConfig.exitCode).to.equal(ExitCode.nonRetryable);
    expect(badConfig.summary.message).to.match(/IMPORT_CHUNK_ROWS: expected a positive integer, got 'many'/);
  });

  it('exits 1 (retryable) when a service is unreachable, with the error in the summary line', async function () {
    this.timeout(30_000);
    // The SDK signs before it connects; any credentials do, as with moto.
    process.env.AWS_ACCESS_KEY_ID ||= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ||= 'test';
    const env = { ...importEnv, JOB_ID: 'job-1', JOB_KIND: 'import', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };
    const lines: string[] = [];
    const result = await runFargateJob(
      ['send-end-marker'],
      env,
      (line) => lines.push(line),
      (log) => jobDeps({ ...runtimeConfig(env), awsRegion: 'us-east-1' }, log, 'test'),
    );
    expect(result.exitCode).to.equal(ExitCode.retryable);
    const summary = JSON.parse(lines.at(-1)!);
    expect(summary).to.include({ type: 'summary', ok: false, exitCode: 1 });
    expect(summary.message).to.match(/ECONNREFUSED|connect/);
  });
});
