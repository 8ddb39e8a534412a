import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { readStatusItem } from '../../jobs/audience-status/table.ts';
import { sendEndMarker } from '../../jobs/index.ts';
import { closeJobDeps, type JobDeps } from '../../jobs/runtime/clients.ts';
import { runFargateJob } from '../../jobs/runtime/fargate.ts';
import { lambdaHandler } from '../../jobs/runtime/lambda.ts';
import { runnableJobs } from '../../jobs/runtime/registry.ts';
import { parseJobProgress } from '../../local/runner/job-progress.ts';
import {
  createBucket,
  fargateEnv,
  generateUsersCsv,
  getObjectText,
  localJobDeps,
  putObject,
  readTopic,
  uniqueId,
} from './support.ts';

const ROWS = 100_000;

describe('import → end marker → export round trip', function () {
  this.timeout(240_000);
  let deps: JobDeps;
  let bucket: string;
  const importId = uniqueId('import');
  const exportId = uniqueId('export');
  const segment = uniqueId('segment');
  const lines: string[] = [];

  before(async () => {
    deps = await localJobDeps({ importChunkRows: 30_000 });
    bucket = await createBucket(deps.s3);
    await putObject(deps.s3, bucket, `imports/${importId}.csv`, generateUsersCsv(ROWS));
  });
  after(() => closeJobDeps(deps));

  it(`imports ${ROWS} rows through the Fargate entry; the summary line comes last and reconciles`, async () => {
    const env = fargateEnv(deps, {
      IMPORT_ID: importId,
      USER_SEGMENTATION_ID: segment,
      S3_BUCKET: bucket,
      S3_KEY: `imports/${importId}.csv`,
      MAX_REJECTED_ROWS: '0',
      // Often enough that even a fast import logs progress while it runs (the next test reads those lines).
      PROGRESS_INTERVAL_MS: '20',
    });
    const { exitCode, summary } = await runFargateJob(['import-audience'], env, (line) => lines.push(line));
    expect(exitCode, lines.slice(-3).join('\n')).to.equal(0);
    expect(JSON.parse(lines.at(-1)!)).to.deep.equal(summary);
    expect(summary.output).to.include({ rowsRead: ROWS, rowsProduced: ROWS, rowsRejected: 0 });
    for (const line of lines) expect(() => JSON.parse(line)).not.to.throw();
    const item = await readStatusItem(deps.dynamodb, deps.config.statusTable, importId);
    expect(item).to.include({ rowsRead: ROWS, rowsProduced: ROWS, rowsRejected: 0 });
    expect(await getObjectText(deps.s3, bucket, `rejects/${importId}.csv`)).to.equal(undefined);
  });

  it('logs progress at a steady interval with the bytes streamed of the object and an estimate of its rows', async () => {
    const fileBytes = Buffer.byteLength(generateUsersCsv(ROWS));
    const progress = lines
      .map((line) => JSON.parse(line) as Record<string, number | string>)
      .filter((line) => line.event === 'import-progress' && Number(line.rowsRead) > 0);
    expect(progress.length, 'progress lines during the import').to.be.greaterThan(0);
    for (const line of progress) {
      expect(line.bytesTotal).to.equal(fileBytes);
      expect(Number(line.bytesRead)).to.be.within(1, fileBytes);
      // Generated rows vary in length a little: the estimate is near the real count.
      expect(Number(line.rowsTotal)).to.be.within(ROWS * 0.9, ROWS * 1.1);
      expect(parseJobProgress(JSON.stringify(line))).to.deep.equal({
        rows: line.rowsRead,
        done: false,
        total: line.rowsTotal,
      });
    }
  });

  it('sends one end marker per partition with the counts (Lambda handler)', async () => {
    const handler = lambdaHandler(runnableJobs[sendEndMarker.name]!, () => deps);
    const result = await handler({ jobId: importId, jobKind: 'import', userSegmentationId: segment });
    expect(result).to.deep.equal({
      topic: deps.config.audienceTopic,
      partitions: 3,
      rowsProduced: ROWS,
      rowsRejected: 0,
    });
  });

  it('shows an independent read_committed consumer every user exactly once and one end marker per partition', async () => {
    const records = await readTopic(deps.kafka, deps.config.audienceTopic);
    const users = records.filter((r) => r.type === 'user');
    const markers = records.filter((r) => r.type === 'end-marker');
    expect(users).to.have.length(ROWS);
    const seen = new Set(users.map((u) => u.key));
    expect(seen.size).to.equal(ROWS);
    const sample = users.find((u) => u.key === 'user-4242');
    expect(sample?.value).to.deep.equal({
      type: 'user',
      userSegmentationId: segment,
      userId: 'user-4242',
      attributes: { email: 'user4242@example.com', plan: 'pro' },
      importId,
    });
    for (const user of users) expect(user.value.userId).to.equal(user.key);
    expect(markers.map((m) => m.partition).sort()).to.deep.equal([0, 1, 2]);
    for (const marker of markers) {
      expect(marker.key).to.equal(`__end__:${importId}`);
      expect(marker.value).to.deep.equal({
        type: 'end_marker',
        jobId: importId,
        jobKind: 'import',
        userSegmentationId: segment,
        rowsProduced: ROWS,
        rowsRejected: 0,
        partitions: 3,
        // The import's records start at the beginning of a topic of its own.
        startOffsets: [0, 0, 0],
      });
    }
  });

  it('exports the rows back to an S3 CSV that holds the same rows', async () => {
    const key = `exports/${exportId}.csv`;
    const env = fargateEnv(deps, {
      EXPORT_ID: exportId,
      USER_SEGMENTATION_ID: segment,
      IMPORT_ID: importId,
      S3_BUCKET: bucket,
      S3_KEY: key,
    });
    const out: string[] = [];
    const { exitCode, summary } = await runFargateJob(['export-audience'], env, (line) => out.push(line));
    expect(exitCode, out.slice(-3).join('\n')).to.equal(0);
    expect(summary.output).to.include({ rowsExported: ROWS });
    const text = await getObjectText(deps.s3, bucket, key);
    expect((summary.output as { bytesWritten: number }).bytesWritten).to.equal(Buffer.byteLength(text!));
    const rows = parse(text!) as string[][];
    expect(rows[0]).to.deep.equal(['user_id', 'email', 'plan']);
    const exported = rows
      .slice(1)
      .map((r) => r.join(','))
      .sort();
    const original = generateUsersCsv(ROWS).trim().split('\n').slice(1).sort();
    expect(exported).to.deep.equal(original);
  });
});
