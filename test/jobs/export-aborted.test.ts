import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { recordJobCounts } from '../../jobs/audience-status/table.ts';
import { run as runExport } from '../../jobs/export-audience/run.ts';
import { RECORD_TYPE_HEADER, type UserRecord } from '../../jobs/runtime/audience-records.ts';
import { closeJobDeps, type JobDeps } from '../../jobs/runtime/clients.ts';
import { ensureTopic, withAdmin } from '../../jobs/runtime/topics.ts';
import { run as runEndMarker } from '../../jobs/send-end-marker/run.ts';
import { createBucket, getObjectText, localJobDeps, uniqueId } from './support.ts';

describe('export-audience: its own reader threads', function () {
  this.timeout(120_000);
  let deps: JobDeps;
  let bucket: string;
  before(async () => {
    deps = await localJobDeps({ endMarkerTimeoutMs: 5000 });
    bucket = await createBucket(deps.s3);
  });
  after(() => closeJobDeps(deps));

  /** Closes an import as the workflow does: its counts in the status table, then its end marker. */
  async function closeImport(importId: string, segment: string, rowsProduced: number): Promise<void> {
    const counts = { rowsProduced, rowsRejected: 0 };
    await recordJobCounts(deps.dynamodb, deps.config.statusTable, importId, counts, new Date());
    await runEndMarker({ jobId: importId, jobKind: 'import', userSegmentationId: segment }, deps);
  }

  it('exports the committed rows of its import only, when the same producer aborted two transactions before', async () => {
    // GIVEN an import whose transactional producer aborted two chunks (as a re-run does) then committed one
    const topic = deps.config.audienceTopic;
    const importId = uniqueId('imp');
    const segment = uniqueId('segment');
    await withAdmin(deps.kafka, (admin) => ensureTopic(admin, topic, deps.config.audienceTopicPartitions));
    const users = (prefix: string, count: number) =>
      Array.from({ length: count }, (_, i) => {
        const value: UserRecord = {
          type: 'user',
          userSegmentationId: segment,
          userId: `${prefix}-${i}`,
          attributes: { plan: prefix },
          importId,
        };
        return { key: value.userId, value: JSON.stringify(value), headers: { [RECORD_TYPE_HEADER]: 'user' } };
      });
    const producer = deps.kafka.kafkajs.producer({ 'transactional.id': `audience-import-${importId}` });
    await producer.connect();
    for (const prefix of ['aborted1', 'aborted2']) {
      const chunk = await producer.transaction();
      await chunk.send({ topic, messages: users(prefix, 30) });
      await chunk.abort();
    }
    const chunk = await producer.transaction();
    await chunk.send({ topic, messages: users('committed', 20) });
    await chunk.commit();
    await producer.disconnect();
    await closeImport(importId, segment, 20);

    // WHEN it is exported
    const exportId = uniqueId('exp');
    const input = { exportId, userSegmentationId: segment, importId, s3Bucket: bucket };
    const result = await runExport(
      { ...input, s3Key: `exports/${exportId}.csv`, formulaEscaping: 'none' },
      deps,
    );

    // THEN only the committed chunk's rows are in the file
    expect(result.rowsExported).to.equal(20);
    const rows = parse((await getObjectText(deps.s3, bucket, `exports/${exportId}.csv`))!) as string[][];
    expect(rows[0]).to.deep.equal(['user_id', 'plan']);
    expect(rows.slice(1).map(([id]) => id)).to.have.members(
      Array.from({ length: 20 }, (_, i) => `committed-${i}`),
    );
  });

  it("fails with the reader's error, and writes no object, when a record of its import is not a user record", async () => {
    const topic = deps.config.audienceTopic;
    const importId = uniqueId('imp');
    await withAdmin(deps.kafka, (admin) => ensureTopic(admin, topic, deps.config.audienceTopicPartitions));
    const producer = deps.kafka.kafkajs.producer({});
    await producer.connect();
    const broken = { type: 'user', importId, userSegmentationId: 'segment', userId: 7 };
    await producer.send({
      topic,
      messages: [{ key: 'u7', value: JSON.stringify(broken), headers: { [RECORD_TYPE_HEADER]: 'user' } }],
    });
    await producer.disconnect();
    await closeImport(importId, 'segment', 1);
    const exportId = uniqueId('exp');
    const input = { exportId, userSegmentationId: 'segment', importId, s3Bucket: bucket };
    let failure: unknown;
    try {
      await runExport({ ...input, s3Key: `exports/${exportId}.csv`, formulaEscaping: 'none' }, deps);
    } catch (error) {
      failure = error;
    }
    expect(String(failure)).to.match(new RegExp(`${topic}/\\d+@\\d+: not a user record`));
    expect(await getObjectText(deps.s3, bucket, `exports/${exportId}.csv`)).to.equal(undefined);
  });
});
