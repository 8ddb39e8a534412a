import { expect } from 'chai';
import { run } from '../../jobs/audience-status/run.ts';
import { readStatusItem } from '../../jobs/audience-status/table.ts';
import { audienceStatus } from '../../jobs/index.ts';
import type { JobDeps } from '../../jobs/runtime/clients.ts';
import { JobError } from '../../jobs/runtime/job-error.ts';
import { lambdaHandler } from '../../jobs/runtime/lambda.ts';
import { runnableJobs } from '../../jobs/runtime/registry.ts';
import { localJobDeps, uniqueId } from './support.ts';

type Event = Parameters<typeof run>[0]['event'];
type State = Parameters<typeof run>[0]['assumedAfterState'];

describe('audience-status job', function () {
  this.timeout(60_000);
  let deps: JobDeps;
  before(async () => {
    deps = await localJobDeps();
  });

  const step = (
    jobId: string,
    jobKind: 'import' | 'export',
    event: Event,
    assumedAfterState: State,
    extra = {},
  ) =>
    run(
      {
        jobId,
        jobKind,
        userSegmentationId: 'seg-1',
        event,
        assumedAfterState,
        executionArn: `arn:aws:states:us-east-1:123456789012:execution:wf:${jobId}`,
        ...extra,
      },
      deps,
    );

  async function expectJobError(promise: Promise<unknown>, name: string, pattern: RegExp): Promise<JobError> {
    try {
      await promise;
    } catch (error) {
      expect(error).to.be.instanceOf(JobError);
      expect((error as JobError).name).to.equal(name);
      expect((error as JobError).message).to.match(pattern);
      return error as JobError;
    }
    expect.fail(`expected ${name}`);
  }

  it('moves an import job pending → importing → imported and records the execution and times', async () => {
    const jobId = uniqueId('imp');
    expect(
      await step(jobId, 'import', 'start_importing', 'importing', { objectKey: 'imports/a.csv' }),
    ).to.deep.equal({
      jobId,
      status: 'importing',
      changed: true,
    });
    expect(await step(jobId, 'import', 'finish_importing', 'imported')).to.deep.equal({
      jobId,
      status: 'imported',
      changed: true,
    });
    const item = await readStatusItem(deps.dynamodb, deps.config.statusTable, jobId);
    expect(item).to.include({
      status: 'imported',
      jobKind: 'import',
      objectKey: 'imports/a.csv',
      version: 2,
    });
    expect(item?.executionArn).to.contain(jobId);
    expect(item?.importingAt).to.be.a('string');
    expect(item?.importedAt).to.be.a('string');
  });

  it('moves an export job pending → exporting → exported', async () => {
    const jobId = uniqueId('exp');
    expect((await step(jobId, 'export', 'start_exporting', 'exporting')).status).to.equal('exporting');
    expect((await step(jobId, 'export', 'finish_exporting', 'exported')).status).to.equal('exported');
  });

  for (const [kind, start, running] of [
    ['import', 'start_importing', 'importing'],
    ['export', 'start_exporting', 'exporting'],
  ] as const) {
    it(`fails a ${kind} job from pending and from ${running}, recording step, error and cause`, async () => {
      const fromPending = uniqueId(kind);
      expect((await step(fromPending, kind, 'fail', 'failed')).changed).to.equal(true);
      const fromRunning = uniqueId(kind);
      await step(fromRunning, kind, start, running);
      const result = await step(fromRunning, kind, 'fail', 'failed', {
        failedStep: 'ImportToKafka',
        error: 'States.TaskFailed',
        cause: 'exit code 1',
      });
      expect(result).to.deep.equal({ jobId: fromRunning, status: 'failed', changed: true });
      const item = await readStatusItem(deps.dynamodb, deps.config.statusTable, fromRunning);
      expect(item).to.include({
        failedStep: 'ImportToKafka',
        error: 'States.TaskFailed',
        cause: 'exit code 1',
      });
    });
  }

  it('treats a replayed transition as a successful no-op', async () => {
    const jobId = uniqueId('imp');
    await step(jobId, 'import', 'start_importing', 'importing');
    expect(await step(jobId, 'import', 'start_importing', 'importing')).to.deep.equal({
      jobId,
      status: 'importing',
      changed: false,
    });
    await step(jobId, 'import', 'fail', 'failed');
    expect((await step(jobId, 'import', 'fail', 'failed')).changed).to.equal(false);
    const item = await readStatusItem(deps.dynamodb, deps.config.statusTable, jobId);
    expect(item?.version).to.equal(2);
  });

  it('refuses impossible transitions with a named, non-retryable IllegalTransition', async () => {
    const jobId = uniqueId('imp');
    const error = await expectJobError(
      step(jobId, 'import', 'finish_importing', 'imported'),
      'IllegalTransition',
      /cannot apply 'finish_importing' \(to 'imported'\) from 'pending'/,
    );
    expect(error.retryable).to.equal(false);
    await step(jobId, 'import', 'start_importing', 'importing');
    await step(jobId, 'import', 'finish_importing', 'imported');
    await expectJobError(step(jobId, 'import', 'fail', 'failed'), 'IllegalTransition', /from 'imported'/);
    await expectJobError(
      step(jobId, 'import', 'start_exporting', 'exporting'),
      'IllegalTransition',
      /does not apply to import jobs/,
    );
    await expectJobError(
      step(uniqueId('imp'), 'import', 'start_importing', 'imported'),
      'IllegalTransition',
      /leads to 'importing', not to the assumed after-state 'imported'/,
    );
    await expectJobError(step(jobId, 'export', 'fail', 'failed'), 'IllegalTransition', /is an import job/);
  });

  it('lets exactly one of two racing transitions win', async () => {
    for (let round = 0; round < 5; round++) {
      const jobId = uniqueId('race');
      await step(jobId, 'import', 'start_importing', 'importing');
      const results = await Promise.allSettled([
        step(jobId, 'import', 'finish_importing', 'imported'),
        step(jobId, 'import', 'fail', 'failed'),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won, `round ${round}`).to.have.length(1);
      expect((lost[0] as PromiseRejectedResult).reason.name).to.equal('IllegalTransition');
      const item = await readStatusItem(deps.dynamodb, deps.config.statusTable, jobId);
      expect(item?.status).to.equal((won[0] as PromiseFulfilledResult<{ status: string }>).value.status);
    }
  });

  it('lets two racing copies of one transition both succeed, one of them as a no-op', async () => {
    const jobId = uniqueId('race');
    const results = await Promise.all([
      step(jobId, 'import', 'start_importing', 'importing'),
      step(jobId, 'import', 'start_importing', 'importing'),
    ]);
    expect(results.map((r) => r.changed).sort()).to.deep.equal([false, true]);
  });

  it('as a Lambda handler, rejects an invalid event with InvalidInput naming the field', async () => {
    const handler = lambdaHandler(runnableJobs[audienceStatus.name]!, () => deps);
    const error = await expectJobError(
      handler({
        jobId: 'x',
        jobKind: 'import',
        userSegmentationId: 's',
        event: 'start',
        assumedAfterState: 'importing',
      }),
      'InvalidInput',
      /event: .*executionArn: /,
    );
    expect(error.retryable).to.equal(false);
    const ok = await handler({
      jobId: uniqueId('lambda'),
      jobKind: 'import',
      userSegmentationId: 's',
      event: 'start_importing',
      assumedAfterState: 'importing',
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:wf:x',
    });
    expect(ok).to.include({ status: 'importing', changed: true });
  });
});
