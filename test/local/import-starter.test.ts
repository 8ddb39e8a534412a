import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { readStatusItem } from '../../jobs/audience-status/table.ts';
import { closeJobDeps } from '../../jobs/runtime/clients.ts';
import { runWorkflowLocally } from '../../local/runner/execution.ts';
import { importStarterWorkflow } from '../../workflows/index.ts';
import { generateUsersCsv, putObject, uniqueId } from '../jobs/support.ts';
import { type RunnerFixture, runnerFixture } from './support.ts';

describe('local runner: the import starter workflow (S3 → EventBridge → import-starter → import-audience)', function () {
  this.timeout(120_000);
  let fixture: RunnerFixture;
  before(async () => {
    fixture = await runnerFixture();
  });
  after(() => closeJobDeps(fixture.deps));

  it('starts the import named after its import id once, and absorbs a repeated event', async () => {
    // GIVEN an uploaded import object, and the input EventBridge's transformer gives the starter
    const { deps, bucket, run } = fixture;
    const importId = uniqueId('imp');
    const s3Key = `imports/seg-starter/${importId}.csv`;
    await putObject(deps.s3, bucket, s3Key, generateUsersCsv(30));
    const event = { s3Bucket: bucket, s3Key };

    // WHEN the starter runs for the event, twice (S3 delivers at least once)
    const first = await runWorkflowLocally(importStarterWorkflow, event, run);
    const second = await runWorkflowLocally(importStarterWorkflow, event, run);

    // THEN both starters succeed; only the first started an import, which ran to the end
    expect(first.status, first.cause).to.equal('SUCCEEDED');
    expect(first.history.map((row) => row.state)).to.include('ImportStarted');
    expect(second.status, second.cause).to.equal('SUCCEEDED');
    expect(second.history.map((row) => row.state)).to.include('AlreadyStarted');
    expect(readdirSync(join(run.executionsDir!, 'import-audience'))).to.deep.equal([`${importId}.json`]);
    expect(await readStatusItem(deps.dynamodb, deps.config.statusTable, importId)).to.include({
      status: 'imported',
      rowsProduced: 30,
      userSegmentationId: 'seg-starter',
    });
  });

  it('fails a key outside the import layout as NotAnImportKey without starting anything', async () => {
    const { bucket, run } = fixture;
    const outcome = await runWorkflowLocally(
      importStarterWorkflow,
      { s3Bucket: bucket, s3Key: 'imports/a/b/c.csv' },
      run,
    );
    expect(outcome.status).to.equal('FAILED');
    expect(outcome.error).to.equal('NotAnImportKey');
  });
});
