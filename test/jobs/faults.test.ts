import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { readStatusItem } from '../../jobs/audience-status/table.ts';
import { run as runImport } from '../../jobs/import-audience/run.ts';
import { sendEndMarker } from '../../jobs/index.ts';
import { closeJobDeps, type JobDeps } from '../../jobs/runtime/clients.ts';
import { JobError } from '../../jobs/runtime/job-error.ts';
import { lambdaHandler } from '../../jobs/runtime/lambda.ts';
import { type JobLogger, jsonLineLogger } from '../../jobs/runtime/logger.ts';
import { runnableJobs } from '../../jobs/runtime/registry.ts';
import { localServicesStatus } from '../../local/services/index.ts';
import { localKafka } from '../../local/services/kafka.ts';
import { ensureRunning, stopRunning } from '../../local/services/local-process.ts';
import { resolveOptions } from '../../local/services/options.ts';
import { failingAfterBytes } from './s3-faults.ts';
import {
  createBucket,
  fargateEnv,
  generateUsersCsv,
  localJobDeps,
  putObject,
  readTopic,
  uniqueId,
} from './support.ts';

const root = resolve(fileURLToPath(import.meta.url), '../../..');

/** A logger that also calls `onEvent` for every event, so a test can act at a given point of a run. */
function watchingLogger(onEvent: (event: string, fields: Record<string, unknown>) => void): JobLogger {
  const base = jsonLineLogger('import-audience', () => undefined);
  const wrap =
    (level: keyof JobLogger) =>
    (event: string, fields: Record<string, unknown> = {}) => {
      base[level](event, fields);
      onEvent(event, fields);
    };
  return { info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}

function expectExactlyOnce(records: { type?: string; key?: string }[], rows: number): void {
  const users = records.filter((r) => r.type === 'user');
  const keys = new Set(users.map((u) => u.key));
  expect(keys.size, 'distinct users').to.equal(rows);
  expect(users.length, 'user records (duplicates if more)').to.equal(rows);
}

describe('import-audience under faults', function () {
  this.timeout(240_000);
  let deps: JobDeps;
  let bucket: string;

  before(async () => {
    deps = await localJobDeps({ importChunkRows: 20_000 });
    bucket = await createBucket(deps.s3);
  });
  after(() => closeJobDeps(deps));

  async function upload(rows: number): Promise<{ importId: string; key: string }> {
    const importId = uniqueId('fault');
    const key = `imports/${importId}.csv`;
    await putObject(deps.s3, bucket, key, generateUsersCsv(rows));
    return { importId, key };
  }

  it('killed in the middle and run again, leaves every user exactly once for a read_committed consumer', async () => {
    const rows = 150_000;
    const { importId, key } = await upload(rows);
    const env = fargateEnv(deps, {
      IMPORT_ID: importId,
      USER_SEGMENTATION_ID: 'seg',
      S3_BUCKET: bucket,
      S3_KEY: key,
      IMPORT_CHUNK_ROWS: '20000',
    });
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', 'jobs/runtime/fargate-entry.ts', 'import-audience'],
      {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    let commits = 0;
    let output = '';
    const killed = new Promise<NodeJS.Signals | null>((resolveKill) => {
      child.on('exit', (_code, signal) => resolveKill(signal));
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        commits = (output.match(/"event":"import-chunk-committed"/g) ?? []).length;
        // Killed mid-chunk: after two committed chunks, with the third one in flight.
        if (commits >= 2 && !child.killed) child.kill('SIGKILL');
      });
    });
    expect(await killed, output.slice(-500)).to.equal('SIGKILL');
    expect(output).not.to.contain('"type":"summary"');

    const events: Record<string, unknown>[] = [];
    const log = watchingLogger((event, fields) => events.push({ event, ...fields }));
    const result = await runImport(
      { importId, userSegmentationId: 'seg', s3Bucket: bucket, s3Key: key, maxRejectedRows: 0 },
      { ...deps, log },
    );
    expect(result).to.include({ rowsRead: rows, rowsProduced: rows, rowsRejected: 0 });
    const resumed = events.find((e) => e.event === 'import-resuming-from-checkpoint');
    expect(resumed?.rowsRead).to.be.at.least(40_000);

    const records = await readTopic(deps.kafka, deps.config.audienceTopic);
    expectExactlyOnce(
      records.filter((r) => r.value.importId === importId),
      rows,
    );
    // A third run finds the import complete and produces nothing.
    const again = await runImport(
      { importId, userSegmentationId: 'seg', s3Bucket: bucket, s3Key: key, maxRejectedRows: 0 },
      deps,
    );
    expect(again).to.include({ rowsRead: rows, rowsProduced: rows });
    const after = await readTopic(deps.kafka, deps.config.audienceTopic);
    expect(after.filter((r) => r.value.importId === importId)).to.have.length(rows);
  });

  it('fails clearly on an S3 error in the middle of the object, and leaves no counts to close the import with', async () => {
    const rows = 60_000;
    const { importId, key } = await upload(rows);
    const s3 = failingAfterBytes(deps.config, 1_000_000);
    let failure: unknown;
    try {
      await runImport(
        { importId, userSegmentationId: 'seg', s3Bucket: bucket, s3Key: key, maxRejectedRows: 0 },
        { ...deps, s3 },
      );
    } catch (error) {
      failure = error;
    } finally {
      s3.destroy();
    }
    expect(failure).to.be.instanceOf(Error);
    expect(failure).not.to.be.instanceOf(JobError);
    expect((failure as Error).message).to.match(/connection reset by the test after 1000000 bytes/);
    expect(await readStatusItem(deps.dynamodb, deps.config.statusTable, importId)).to.equal(undefined);
    const handler = lambdaHandler(runnableJobs[sendEndMarker.name]!, () => deps);
    try {
      await handler({ jobId: importId, jobKind: 'import', userSegmentationId: 'seg' });
      expect.fail('expected CountsMissing');
    } catch (error) {
      expect((error as Error).name).to.equal('CountsMissing');
    }
    // What a consumer sees is whole committed chunks only, never a torn one.
    const records = (await readTopic(deps.kafka, deps.config.audienceTopic)).filter(
      (r) => r.value.importId === importId,
    );
    expect(records.length % 20_000).to.equal(0);
    expect(records.length).to.be.below(rows);
  });

  it('completes an import across a broker restart, with no loss and no duplicate', async function () {
    const status = await localServicesStatus();
    if (status.find((s) => s.name === 'kafka')?.source !== 'local') this.skip();
    const kafka = localKafka(resolveOptions());
    const rows = 150_000;
    const { importId, key } = await upload(rows);
    let restarted: Promise<void> | undefined;
    const log = watchingLogger((event) => {
      if (event === 'import-chunk-committed' && !restarted) {
        restarted = (async () => {
          await stopRunning(kafka);
          await ensureRunning(kafka, () => undefined);
        })();
      }
    });
    const result = await runImport(
      { importId, userSegmentationId: 'seg', s3Bucket: bucket, s3Key: key, maxRejectedRows: 0 },
      { ...deps, log },
    );
    await restarted;
    expect(restarted, 'the broker was restarted').not.to.equal(undefined);
    expect(result).to.include({ rowsRead: rows, rowsProduced: rows, rowsRejected: 0 });
    const records = await readTopic(deps.kafka, deps.config.audienceTopic);
    expectExactlyOnce(
      records.filter((r) => r.value.importId === importId),
      rows,
    );
  });
});
