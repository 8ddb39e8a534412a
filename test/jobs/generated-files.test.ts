import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { run } from '../../jobs/import-audience/run.ts';
import { closeJobDeps, type JobDeps } from '../../jobs/runtime/clients.ts';
import { filePlan, writeCsvFile } from '../support/csv-model.ts';
import { propertyRuns } from '../support/property.ts';
import { createBucket, getObjectText, localJobDeps, putObject, readTopic, uniqueId } from './support.ts';

describe('import-audience on generated files (real job, Kafka broker and S3 emulator)', function () {
  this.timeout(600_000);
  let deps: JobDeps;
  let bucket: string;

  before(async () => {
    // Small chunks: each file spans several Kafka transactions and checkpoints.
    deps = await localJobDeps({ importChunkRows: 7 });
    bucket = await createBucket(deps.s3);
  });
  after(() => closeJobDeps(deps));

  it('produces exactly the valid rows of 20 generated files, each once, and rejects every corrupted row', async () => {
    await fc.assert(
      fc.asyncProperty(filePlan({ maxRows: 25 }), fc.boolean(), async (plan, gzip) => {
        // GIVEN a generated file (gzip-compressed under a .csv.gz key half the time) in S3
        const file = writeCsvFile(plan);
        const importId = uniqueId('generated');
        const key = `imports/${importId}.csv${gzip ? '.gz' : ''}`;
        await putObject(deps.s3, bucket, key, gzip ? gzipSync(file.bytes) : file.bytes);
        const topic = uniqueId('generated-topic');
        const jobDeps = { ...deps, config: { ...deps.config, audienceTopic: topic } };

        // WHEN the import job runs on it
        const input = {
          importId,
          userSegmentationId: 'generated',
          s3Bucket: bucket,
          s3Key: key,
          maxRejectedRows: 1000,
        };
        const output = await run(input, jobDeps);

        // THEN the counts reconcile with the model: every record read once, produced or rejected
        const rows = file.expected.flatMap((row) => (row.kind === 'row' ? [row] : []));
        const rejected = file.expected.flatMap((row) => (row.kind === 'rejected' ? [row] : []));
        expect(output).to.include({
          rowsRead: file.expected.length,
          rowsProduced: rows.length,
          rowsRejected: rejected.length,
        });
        // the topic holds exactly the valid rows, each once, with byte-identical attribute values
        const records = (await readTopic(deps.kafka, topic)).filter((r) => r.type === 'user');
        const produced = records.map((r) => [r.value.userId, r.value.attributes]);
        expect(produced).to.have.deep.members(rows.map((row) => [row.userId, row.attributes]));
        expect(records.map((r) => r.key)).to.have.members(rows.map((row) => row.userId));
        // and every corrupted row is in the rejects file with its line, column and reason
        const text = await getObjectText(deps.s3, bucket, `rejects/${importId}.csv`);
        const rejects = text ? (parse(text, { columns: true }) as Record<string, string>[]) : [];
        expect(rejects.map((r) => [Number(r.line), r.column])).to.deep.equal(
          rejected.map((r) => [r.line, r.column]),
        );
        for (const [i, r] of rejects.entries()) expect(r.reason).to.match(rejected[i]!.reason);
      }),
      // No shrinking here (each case is a job run): a failure prints its seed (FC_SEED replays it) and its plan;
      // add the plan to FIXED_PLANS in test/import/csv-rows.property.test.ts, where it is kept as a fixed test.
      { ...propertyRuns(20), endOnFailure: true },
    );
  });
});
