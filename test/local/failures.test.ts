import { expect } from 'chai';
import { readStatusItem } from '../../jobs/audience-status/table.ts';
import { closeJobDeps } from '../../jobs/runtime/clients.ts';
import { runWorkflowLocally } from '../../local/runner/execution.ts';
import { namedError } from '../../local/runner/named-error.ts';
import { exportAudienceWorkflow, importAudienceWorkflow } from '../../workflows/index.ts';
import { generateUsersCsv, putObject, readTopic, uniqueId } from '../jobs/support.ts';
import { type RunnerFixture, runnerFixture } from './support.ts';

describe('local runner: failures, retries and catches as on AWS', function () {
  this.timeout(180_000);
  let fixture: RunnerFixture;
  before(async () => {
    // These are the Fargate step's failures: the plan sends every import there.
    fixture = await runnerFixture({ IMPORT_LAMBDA_MAX_BYTES: '1' });
  });
  after(() => closeJobDeps(fixture.deps));

  /** Uploads a CSV under the import layout and returns the import workflow's input for it. */
  async function upload(csv: string) {
    const importId = uniqueId('imp');
    const input = {
      importId,
      userSegmentationId: 'seg-failures',
      s3Bucket: fixture.bucket,
      s3Key: `imports/seg-failures/${importId}.csv`,
    };
    await putObject(fixture.deps.s3, fixture.bucket, input.s3Key, csv);
    return input;
  }

  it('fails at the import step above the rejection threshold, records failed with step and cause, imports nothing', async () => {
    // GIVEN 1,001 rows without a user id (the job's default threshold is 1,000 rejected rows)
    const { deps, run } = fixture;
    const input = await upload(`user_id,email\n${',x@example.com\n'.repeat(1001)}u-1,a@example.com\n`);

    // WHEN the import workflow runs
    const lines: string[] = [];
    const execution = await runWorkflowLocally(importAudienceWorkflow, input, {
      ...run,
      onEvent: (event) => event.type === 'task-log' && lines.push(event.line),
    });

    // THEN it fails at ImportOnFargate with the container's exit, caught and recorded as failed
    expect(execution.status).to.equal('FAILED');
    expect(execution.error).to.equal('ImportFailed');
    expect(execution.failedState).to.equal('ImportOnFargate');
    const step = execution.history.find((row) => row.state === 'ImportOnFargate')!;
    expect(step).to.include({ status: 'caught', attempts: 1, error: 'States.TaskFailed' });
    // As on AWS, the cause is the stopped task's description; the job's reason is in its log lines.
    expect(JSON.parse(step.cause!)).to.deep.include({
      StopCode: 'EssentialContainerExited',
      StoppedReason: 'Essential container in task exited',
    });
    expect(JSON.parse(step.cause!).Containers[0]).to.include({ ExitCode: 2 });
    expect(lines.some((line) => line.includes('"error":"TooManyRejectedRows"'))).to.equal(true);
    expect(execution.history.map((row) => row.state)).to.include.members([
      'MarkImportFailed',
      'ImportFailed',
    ]);
    expect(execution.history.map((row) => row.state)).not.to.include('UpdateAudienceStatusToImported');
    const item = await readStatusItem(deps.dynamodb, deps.config.statusTable, input.importId);
    expect(item).to.include({ status: 'failed', failedStep: 'ImportOnFargate', error: 'States.TaskFailed' });
    expect(JSON.parse(String(item?.cause)).Containers[0]).to.include({ ExitCode: 2 });
    expect(item).not.to.have.property('importedAt');
    const users = (await readTopic(deps.kafka, deps.config.audienceTopic)).filter(
      (r) => r.type === 'user' && r.value.importId === input.importId,
    );
    expect(users).to.deep.equal([]);
  });

  it('retries a transient Lambda.ServiceException with the preset and succeeds', async () => {
    // GIVEN the Lambda service fails the first call of the first status step
    const input = await upload(generateUsersCsv(50));
    const calls: string[] = [];
    const execution = await runWorkflowLocally(importAudienceWorkflow, input, {
      ...fixture.run,
      interceptLambda: async ({ state, attempt }, invoke) => {
        calls.push(`${state}#${attempt}`);
        if (state === 'UpdateAudienceStatusToImporting' && attempt === 1) {
          throw namedError('Lambda.ServiceException', 'Lambda is unavailable (injected by the test)');
        }
        return invoke();
      },
    });

    // THEN the state ran twice and the execution succeeded
    expect(execution.status, execution.cause).to.equal('SUCCEEDED');
    const step = execution.history.find((row) => row.state === 'UpdateAudienceStatusToImporting')!;
    expect(step).to.include({ status: 'succeeded', attempts: 2, error: 'Lambda.ServiceException' });
    expect(calls.slice(0, 2)).to.deep.equal([
      'UpdateAudienceStatusToImporting#1',
      'UpdateAudienceStatusToImporting#2',
    ]);
    const item = await readStatusItem(fixture.deps.dynamodb, fixture.deps.config.statusTable, input.importId);
    expect(item?.status).to.equal('imported');
  });

  it('does not retry a Fargate job that exits 2 on invalid input', async () => {
    // GIVEN a file without a user_id column
    const input = await upload('email,plan\na@example.com,free\n');
    const lines: string[] = [];
    const execution = await runWorkflowLocally(importAudienceWorkflow, input, {
      ...fixture.run,
      onEvent: (event) => event.type === 'task-log' && lines.push(event.line),
    });
    expect(execution.status).to.equal('FAILED');
    const step = execution.history.find((row) => row.state === 'ImportOnFargate')!;
    expect(step).to.include({ status: 'caught', attempts: 1, error: 'States.TaskFailed' });
    expect(JSON.parse(step.cause!).Containers[0]).to.include({ ExitCode: 2 });
    expect(
      lines.some((line) => line.includes('"error":"InvalidInput"') && line.includes('user_id')),
    ).to.equal(true);
  });

  it("does not retry a Lambda job's named error (IllegalTransition)", async () => {
    // GIVEN an export that reuses the id of an import (the status item belongs to an import job)
    const input = await upload(generateUsersCsv(10));
    const imported = await runWorkflowLocally(importAudienceWorkflow, input, fixture.run);
    expect(imported.status, imported.cause).to.equal('SUCCEEDED');
    const execution = await runWorkflowLocally(
      exportAudienceWorkflow,
      {
        exportId: input.importId,
        userSegmentationId: input.userSegmentationId,
        importId: input.importId,
        s3Bucket: fixture.bucket,
        s3Key: 'exports/never.csv',
      },
      fixture.run,
    );
    // THEN neither the step nor MarkExportFailed (refused for the same reason, with no Catch) is retried
    expect(execution.status).to.equal('FAILED');
    const step = execution.history.find((row) => row.state === 'UpdateAudienceStatusToExporting')!;
    expect(step).to.include({ status: 'caught', attempts: 1, error: 'IllegalTransition' });
    expect(JSON.parse(step.cause!)).to.include({ errorType: 'IllegalTransition' });
    expect(execution.failedState).to.equal('MarkExportFailed');
    expect(execution).to.include({ error: 'IllegalTransition' });
    expect(execution.history.find((row) => row.state === 'MarkExportFailed')).to.include({
      status: 'failed',
      attempts: 1,
    });
    expect(execution.history.map((row) => row.state)).not.to.include('ExportToS3');
  });

  it('refuses an input that does not match the workflow schema, naming the field', async () => {
    let error: unknown;
    await runWorkflowLocally(importAudienceWorkflow, { importId: 'x' }, fixture.run).catch((e: unknown) => {
      error = e;
    });
    expect((error as Error)?.message).to.match(
      /input of workflow import-audience is invalid: userSegmentationId/,
    );
  });
});
