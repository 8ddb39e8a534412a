import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { readStatusItem } from '../../jobs/audience-status/table.ts';
import { closeJobDeps } from '../../jobs/runtime/clients.ts';
import { ImportWatcher } from '../../local/runner/import-watcher.ts';
import { generateUsersCsv, putObject, uniqueId } from '../jobs/support.ts';
import { type RunnerFixture, runnerFixture } from './support.ts';

describe('local runner: watch trigger', function () {
  this.timeout(120_000);
  let fixture: RunnerFixture;
  before(async () => {
    fixture = await runnerFixture();
  });
  after(() => closeJobDeps(fixture.deps));

  it('starts exactly one execution per object (.csv or .csv.gz), named after the import id, even when seen twice', async () => {
    // GIVEN one import object and one object outside the import layout
    const { deps, bucket, run } = fixture;
    const importId = uniqueId('imp');
    await putObject(deps.s3, bucket, `imports/seg-watch/${importId}.csv`, generateUsersCsv(20));
    await putObject(deps.s3, bucket, 'imports/not-an-import.txt', 'x');
    const gzipId = uniqueId('imp');
    await putObject(deps.s3, bucket, `imports/seg-watch/${gzipId}.csv.gz`, gzipSync(generateUsersCsv(20)));

    // WHEN one watcher polls twice and a second watcher (a restart, a duplicate event) polls the same bucket
    const first = new ImportWatcher(deps.s3, bucket, { run });
    const firstPoll = await first.poll();
    const secondPoll = await first.poll();
    const other = await new ImportWatcher(deps.s3, bucket, { run }).poll();

    // THEN one execution started, named after the import id; the repeat was absorbed; the stray key skipped
    expect(firstPoll.map((o) => [o.kind, o.key])).to.have.deep.members([
      ['started', `imports/seg-watch/${importId}.csv`],
      ['started', `imports/seg-watch/${gzipId}.csv.gz`],
      ['not-an-import', 'imports/not-an-import.txt'],
    ]);
    expect(secondPoll).to.deep.equal([]);
    const repeat = other.find((o) => o.key.endsWith(`${importId}.csv`));
    expect(repeat).to.deep.equal({
      kind: 'already-started',
      key: `imports/seg-watch/${importId}.csv`,
      executionName: importId,
    });
    const started = firstPoll.find((o) => o.key.endsWith(`${importId}.csv`));
    expect(started).to.include({ kind: 'started', executionName: importId });
    const executions = await Promise.all(first.executions);
    for (const execution of executions) expect(execution.status, execution.cause).to.equal('SUCCEEDED');
    expect(executions.map((execution) => execution.name)).to.have.members([importId, gzipId]);
    expect(readdirSync(join(run.executionsDir!, 'import-audience'))).to.have.members([
      `${importId}.json`,
      `${gzipId}.json`,
    ]);
    // The gzip object was read through zlib: all of its rows were produced.
    expect(await readStatusItem(deps.dynamodb, deps.config.statusTable, gzipId)).to.include({
      rowsProduced: 20,
    });
  });
});
