import { expect } from 'chai';
import { readStatusItem } from '../../jobs/audience-status/table.ts';
import { closeJobDeps } from '../../jobs/runtime/clients.ts';
import type { LocalTask } from '../../local/runner/ecs-run-task.ts';
import { type LocalRunOptions, runWorkflowLocally } from '../../local/runner/execution.ts';
import { importAudienceWorkflow } from '../../workflows/index.ts';
import { generateUsersCsv, putObject, readTopic, uniqueId } from '../jobs/support.ts';
import { type RunnerFixture, runnerFixture } from './support.ts';

/**
 * The import's three paths end to end under the local runner (Lambda in-process, Fargate as a process, shards as
 * parallel processes): whatever the path and the number of shards, every user of the file is in Kafka exactly
 * once and the counts are the file's.
 */
describe('local runner: an import on Lambda, on Fargate, or sharded over tasks', function () {
  this.timeout(600_000);
  const fixtures: RunnerFixture[] = [];
  after(() => {
    for (const fixture of fixtures) closeJobDeps(fixture.deps);
  });

  /** A fixture of its own (topic, table, bucket) with the plan's thresholds in the runtime environment. */
  async function fixtureWith(env: Record<string, string>) {
    const fixture = await runnerFixture(env);
    fixtures.push(fixture);
    return fixture;
  }

  /** Uploads `csv` under the import layout and returns the import's input. */
  async function upload(fixture: RunnerFixture, csv: string) {
    const importId = uniqueId('imp');
    const input = {
      importId,
      userSegmentationId: 'seg-paths',
      s3Bucket: fixture.bucket,
      s3Key: `imports/seg-paths/${importId}.csv`,
    };
    await putObject(fixture.deps.s3, fixture.bucket, input.s3Key, csv);
    return input;
  }

  /** The states an execution went through, once each, in order. */
  function statesOf(execution: Awaited<ReturnType<typeof runWorkflowLocally>>): string[] {
    return [...new Set(execution.history.map((row) => row.state))];
  }

  /** Checks that the topic holds users 0..rows-1 of the import, each exactly once, and the status counts. */
  async function expectEachUserOnce(fixture: RunnerFixture, importId: string, rows: number) {
    const records = (await readTopic(fixture.deps.kafka, fixture.deps.config.audienceTopic)).filter(
      (record) => record.type === 'user' && record.value.importId === importId,
    );
    const keys = new Set(records.map((record) => record.key));
    expect(records.length, 'records of the import').to.equal(rows);
    expect(keys.size, 'distinct users').to.equal(rows);
    for (const i of [0, 1, Math.floor(rows / 2), rows - 1])
      expect(keys.has(`user-${i}`), `user-${i}`).to.equal(true);
    const item = await readStatusItem(fixture.deps.dynamodb, fixture.deps.config.statusTable, importId);
    expect(item).to.include({ status: 'imported', rowsRead: rows, rowsProduced: rows, rowsRejected: 0 });
  }

  it('plans Lambda for a 1,000-row file and imports it there', async () => {
    const fixture = await fixtureWith({});
    const input = await upload(fixture, generateUsersCsv(1000));
    const execution = await runWorkflowLocally(importAudienceWorkflow, input, fixture.run);
    expect(execution.status, execution.cause).to.equal('SUCCEEDED');
    const states = statesOf(execution);
    expect(states).to.include('ImportOnLambda');
    expect(states).not.to.include.members(['ImportOnFargate']);
    expect(states).not.to.include('ImportShards');
    await expectEachUserOnce(fixture, input.importId, 1000);
  });

  for (const shards of [1, 2, 4]) {
    it(`imports 1,000,000 rows over ${shards} shard(s): every user once, the file's counts`, async () => {
      const csv = generateUsersCsv(1_000_000);
      const size = Buffer.byteLength(csv);
      // Shards of a size that makes `shards` of them (one, when at most one is allowed).
      const fixture = await fixtureWith({
        IMPORT_LAMBDA_MAX_BYTES: '1',
        IMPORT_SHARD_BYTES: String(shards === 1 ? Math.ceil(size / 2) : Math.ceil(size / shards)),
        IMPORT_MAX_SHARDS: String(shards),
        IMPORT_MAX_CONCURRENCY: '4',
      });
      const input = await upload(fixture, csv);
      const tasks: LocalTask[] = [];
      const execution = await runWorkflowLocally(importAudienceWorkflow, input, {
        ...fixture.run,
        onTaskStarted: (task) => tasks.push(task),
      });
      expect(execution.status, execution.cause).to.equal('SUCCEEDED');
      expect(tasks.map((task) => task.state)).to.deep.equal(Array(shards).fill('ImportShard'));
      expect(statesOf(execution)).to.include('CloseShardedImport');
      expect(statesOf(execution)).not.to.include('ImportOnFargate');
      await expectEachUserOnce(fixture, input.importId, 1_000_000);
    });
  }

  it('runs a shard stopped mid-way again, alone; the import still has each user once', async () => {
    const rows = 200_000;
    const csv = generateUsersCsv(rows);
    const fixture = await fixtureWith({
      IMPORT_LAMBDA_MAX_BYTES: '1',
      IMPORT_SHARD_BYTES: String(Math.ceil(Buffer.byteLength(csv) / 2)),
      // One shard at a time, so the task that logs is the last one started.
      IMPORT_MAX_CONCURRENCY: '1',
    });
    const input = await upload(fixture, csv);
    const tasks: LocalTask[] = [];
    let stopped = false;
    const run: Omit<LocalRunOptions, 'name'> = {
      ...fixture.run,
      env: { ...fixture.run.env, IMPORT_CHUNK_ROWS: '20000' },
      onTaskStarted: (task) => tasks.push(task),
      onEvent: (event) => {
        // Shard 1, once it committed its first chunk: interrupted as Fargate Spot does.
        if (stopped || event.type !== 'task-log' || !event.line.includes('import-chunk-committed')) return;
        if (!event.line.includes(`"runId":"${input.importId}-shard-1"`)) return;
        stopped = true;
        tasks.at(-1)?.stop('SpotInterruption', 1);
      },
    };
    const execution = await runWorkflowLocally(importAudienceWorkflow, input, run);
    expect(execution.status, execution.cause).to.equal('SUCCEEDED');
    expect(stopped, 'shard 1 was stopped').to.equal(true);
    // Shard 0 once, shard 1 twice (stopped, then resumed from its checkpoint).
    expect(tasks).to.have.length(3);
    expect(statesOf(execution)).not.to.include('ImportOnFargate');
    await expectEachUserOnce(fixture, input.importId, rows);
  });
});
