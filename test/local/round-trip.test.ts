import { expect } from 'chai';
import { readStatusItem } from '../../jobs/audience-status/table.ts';
import { closeJobDeps } from '../../jobs/runtime/clients.ts';
import { runWorkflowLocally } from '../../local/runner/execution.ts';
import { exportAudienceWorkflow, importAudienceWorkflow } from '../../workflows/index.ts';
import { generateUsersCsv, getObjectText, putObject, readTopic, uniqueId } from '../jobs/support.ts';
import { type RunnerFixture, runnerFixture } from './support.ts';

describe('local runner: import → export round trip through the workflows', function () {
  this.timeout(180_000);
  let fixture: RunnerFixture;
  before(async () => {
    fixture = await runnerFixture();
  });
  after(() => closeJobDeps(fixture.deps));

  it('imports the valid rows once, marks imported, exports exactly them, marks exported', async () => {
    // GIVEN a CSV of 2,000 users with three bad rows among them
    const { deps, bucket, run } = fixture;
    const importId = uniqueId('imp');
    const segment = 'seg-round-trip';
    const valid = generateUsersCsv(2000).trimEnd().split('\n');
    const bad = [',no-id@example.com,free', 'user-x,too,many,columns', 'user-y,"unterminated,free'];
    const lines = [
      ...valid.slice(0, 700),
      bad[0]!,
      ...valid.slice(700, 1400),
      bad[1]!,
      ...valid.slice(1400),
      bad[2]!,
    ];
    const key = `imports/${segment}/${importId}.csv`;
    await putObject(deps.s3, bucket, key, `${lines.join('\n')}\n`);

    // WHEN the import workflow runs, then the export workflow
    const imported = await runWorkflowLocally(
      importAudienceWorkflow,
      { importId, userSegmentationId: segment, s3Bucket: bucket, s3Key: key },
      run,
    );
    expect(imported.status, imported.cause).to.equal('SUCCEEDED');
    expect((await readStatusItem(deps.dynamodb, deps.config.statusTable, importId))?.status).to.equal(
      'imported',
    );
    const exportId = uniqueId('exp');
    const exportKey = `exports/${exportId}.csv`;
    const exported = await runWorkflowLocally(
      exportAudienceWorkflow,
      { exportId, userSegmentationId: segment, importId, s3Bucket: bucket, s3Key: exportKey },
      run,
    );

    // THEN both succeeded with the statuses recorded, Kafka holds each user once, and the export equals the valid rows
    expect(exported.status, exported.cause).to.equal('SUCCEEDED');
    expect(exported.history.map((row) => row.state)).to.deep.equal([
      'UpdateAudienceStatusToExporting',
      'ExportToS3',
      'UpdateAudienceStatusToExported',
      'Exported',
    ]);
    const importItem = await readStatusItem(deps.dynamodb, deps.config.statusTable, importId);
    expect(importItem).to.include({ status: 'imported', rowsProduced: 2000, rowsRejected: 3 });
    const exportItem = await readStatusItem(deps.dynamodb, deps.config.statusTable, exportId);
    expect(exportItem).to.include({ status: 'exported', objectKey: exportKey, rowsExported: 2000 });
    const users = (await readTopic(deps.kafka, deps.config.audienceTopic)).filter((r) => r.type === 'user');
    expect(users).to.have.length(2000);
    expect(new Set(users.map((r) => r.key)).size).to.equal(2000);
    const csv = (await getObjectText(deps.s3, bucket, exportKey))!.trimEnd().split('\n');
    expect(csv[0]).to.equal(valid[0]);
    expect(csv.slice(1).sort()).to.deep.equal(valid.slice(1).sort());
  });
});
