import { expect } from 'chai';
import { readStatusItem } from '../../jobs/audience-status/table.ts';
import { closeJobDeps } from '../../jobs/runtime/clients.ts';
import type { StopCode } from '../../local/runner/ecs-run-task.ts';
import { runWorkflowLocally } from '../../local/runner/execution.ts';
import { importAudienceWorkflow } from '../../workflows/index.ts';
import { generateUsersCsv, putObject, readTopic, uniqueId } from '../jobs/support.ts';
import { type RunnerFixture, runnerFixture } from './support.ts';

/**
 * A Fargate task stopped under the job (a Spot interruption, a host failure, a kill) fails `ecs:runTask.sync`
 * with States.TaskFailed and the task's description as cause; the import workflow runs such a task again and the
 * import resumes from its checkpoint. A job that refuses its input (exit code 2) is not run again.
 */
describe('local runner: an import task stopped by ECS is run again', function () {
  this.timeout(180_000);
  let fixture: RunnerFixture;
  before(async () => {
    // These are the Fargate step's failures: the plan sends every import there.
    fixture = await runnerFixture({ IMPORT_LAMBDA_MAX_BYTES: '1' });
  });
  after(() => closeJobDeps(fixture.deps));

  /** Uploads `rows` generated users, or `csv`, under the import layout; returns the import's input. */
  async function upload(rows: number, csv = generateUsersCsv(rows)) {
    const importId = uniqueId('imp');
    const input = {
      importId,
      userSegmentationId: 'seg-stopped',
      s3Bucket: fixture.bucket,
      s3Key: `imports/seg-stopped/${importId}.csv`,
    };
    await putObject(fixture.deps.s3, fixture.bucket, input.s3Key, csv);
    return input;
  }

  /** Runs the import, stopping the first `stops` import tasks with `code` once they committed a chunk (or at once). */
  async function importStopping(
    input: Awaited<ReturnType<typeof upload>>,
    code: StopCode,
    stops: number,
    atOnce = false,
  ) {
    let stopped = 0;
    const tasks: { stop: (code: StopCode, seconds?: number) => void }[] = [];
    return runWorkflowLocally(importAudienceWorkflow, input, {
      ...fixture.run,
      env: { ...fixture.run.env, IMPORT_CHUNK_ROWS: '2000' },
      onTaskStarted: (task) => {
        tasks.push(task);
        if (atOnce && stopped < stops) {
          stopped++;
          task.stop(code, 1);
        }
      },
      onEvent: (event) => {
        // Stopped once the import committed its first chunk: the next run must resume after it.
        if (atOnce || event.type !== 'task-log' || !event.line.includes('import-chunk-committed')) return;
        if (stopped < stops && tasks.length === stopped + 1) {
          stopped++;
          tasks.at(-1)?.stop(code, 1);
        }
      },
    });
  }

  it('runs the task again after a Spot interruption; the import resumes and produces every row once', async () => {
    // GIVEN 20,000 users, imported in chunks of 2,000
    const input = await upload(20_000);
    // WHEN the first task is interrupted as Fargate Spot does (SIGTERM) after its first chunk
    const execution = await importStopping(input, 'SpotInterruption', 1);
    // THEN the step ran twice and the execution succeeded
    expect(execution.status, execution.cause).to.equal('SUCCEEDED');
    const runs = execution.history.filter((row) => row.state === 'ImportOnFargate');
    expect(runs.map((row) => row.status)).to.deep.equal(['caught', 'succeeded']);
    expect(JSON.parse(runs[0]!.cause!)).to.deep.include({
      StopCode: 'SpotInterruption',
      StoppedReason: 'Your Spot Task was interrupted.',
    });
    expect(JSON.parse(runs[0]!.cause!).Containers[0]).to.include({ ExitCode: 143 });
    expect(execution.history.map((row) => row.state)).to.include.members([
      'ImportOnFargateCountFirst',
      'ImportOnFargateRunAgain',
    ]);
    // AND every user is in Kafka once, counted once
    const item = await readStatusItem(fixture.deps.dynamodb, fixture.deps.config.statusTable, input.importId);
    expect(item).to.include({ status: 'imported', rowsProduced: 20_000 });
    const users = (await readTopic(fixture.deps.kafka, fixture.deps.config.audienceTopic)).filter(
      (r) => r.type === 'user' && r.value.importId === input.importId,
    );
    expect(new Set(users.map((r) => r.key)).size).to.equal(20_000);
    expect(users).to.have.length(20_000);
  });

  it('gives up after three more runs, and records the import failed at its step', async () => {
    // GIVEN every task is lost at once (a host failure each time)
    const input = await upload(100);
    const execution = await importStopping(input, 'InfrastructureHealth', 10, true);
    // THEN four runs were made, then the error went on to the workflow's default Catch
    expect(execution).to.include({ status: 'FAILED', error: 'ImportFailed' });
    expect(execution.history.filter((row) => row.state === 'ImportOnFargate')).to.have.length(4);
    expect(execution.history.map((row) => row.state)).to.include.members([
      'ImportOnFargateNotRunAgain',
      'MarkImportFailed',
    ]);
    const item = await readStatusItem(fixture.deps.dynamodb, fixture.deps.config.statusTable, input.importId);
    expect(item).to.include({ status: 'failed', failedStep: 'ImportOnFargate', error: 'States.TaskFailed' });
    expect(JSON.parse(String(item?.cause))).to.include({ StopCode: 'InfrastructureHealth' });
  });

  it('does not run again a task whose job refused its input (exit code 2)', async () => {
    const input = await upload(0, 'email\na@example.com\n');
    const execution = await runWorkflowLocally(importAudienceWorkflow, input, fixture.run);
    expect(execution).to.include({ status: 'FAILED', error: 'ImportFailed' });
    expect(execution.history.filter((row) => row.state === 'ImportOnFargate')).to.have.length(1);
    expect(execution.history.map((row) => row.state)).to.include('ImportOnFargateNotRunAgain');
  });
});
