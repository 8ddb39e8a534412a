import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { run as runExport } from '../../jobs/export-audience/run.ts';
import { run as runImport } from '../../jobs/import-audience/run.ts';
import { closeJobDeps, type JobDeps } from '../../jobs/runtime/clients.ts';
import { JobError } from '../../jobs/runtime/job-error.ts';
import { memoryLogger } from '../../jobs/runtime/logger.ts';
import { readStartOffsets } from '../../jobs/runtime/start-offsets.ts';
import { endOffsets, ensureTopic, withAdmin } from '../../jobs/runtime/topics.ts';
import { run as runEndMarker } from '../../jobs/send-end-marker/run.ts';
import {
  createBucket,
  generateUsersCsv,
  getObject,
  getObjectText,
  localJobDeps,
  putObject,
  readTopic,
  uniqueId,
} from './support.ts';

/** Values that must survive export → import unchanged (with formula escaping off). */
const ROUND_TRIP_CSV = Buffer.from(
  [
    'user_id,note,score',
    '-5,"=HYPERLINK(""http://x"")",+1',
    '=1+1,"a, quoted ""note""",-3',
    '@u3,"two\nlines\r\nand\rthree",@sum',
    '" u4 ","\tindented ", trailing ',
    '"日本😀","Zoë, ""é""",""',
    "'u6,'quoted,=",
    '"u,7",\u00a0,"\r"',
    'u8,,',
  ].join('\r\n'),
);

const TRICKY_CSV = [
  'user_id,note,score',
  'u1,"=HYPERLINK(""http://x"")",+1',
  'u2,"a, quoted ""note""",-3',
  'u3,"two\nlines",@sum',
  'u4,"\tindented",plain',
  '"-u5",ok,0',
  '=1+1,@x,-2',
].join('\n');

describe('export-audience', function () {
  this.timeout(120_000);
  let deps: JobDeps;
  let bucket: string;
  const segment = uniqueId('segment');

  async function importFile(csv: string | Buffer, userSegmentationId = segment): Promise<string> {
    const importId = uniqueId('imp');
    await putObject(deps.s3, bucket, `imports/${importId}.csv`, csv);
    await runImport(
      {
        importId,
        userSegmentationId,
        s3Bucket: bucket,
        s3Key: `imports/${importId}.csv`,
        maxRejectedRows: 0,
      },
      deps,
    );
    return importId;
  }

  before(async () => {
    deps = await localJobDeps({ endMarkerTimeoutMs: 3000 });
    bucket = await createBucket(deps.s3);
  });
  after(() => closeJobDeps(deps));

  /** Exports one import's rows of the test segment to `exports/<exportId>.csv`. */
  function exportOf(importId: string, exportId: string, jobDeps: JobDeps) {
    const s3Key = `exports/${exportId}.csv`;
    return runExport(
      {
        exportId,
        userSegmentationId: segment,
        importId,
        s3Bucket: bucket,
        s3Key,
        formulaEscaping: 'attributes',
      },
      jobDeps,
    );
  }

  it('exports only the rows of its import, quoted per RFC 4180, attribute formula cells neutralised, ids unchanged', async () => {
    const other = await importFile('user_id,note,score\nx1,other,1\nx2,other,2\n');
    const mine = await importFile(TRICKY_CSV);
    const otherSegment = await importFile('user_id,note,score\ny1,elsewhere,3\n', uniqueId('segment'));
    for (const jobId of [other, mine, otherSegment]) {
      await runEndMarker({ jobId, jobKind: 'import', userSegmentationId: segment }, deps);
    }
    const exportId = uniqueId('exp');
    const result = await runExport(
      {
        exportId,
        userSegmentationId: segment,
        importId: mine,
        s3Bucket: bucket,
        s3Key: `exports/${exportId}.csv`,
        formulaEscaping: 'attributes',
      },
      deps,
    );
    expect(result.rowsExported).to.equal(6);
    const text = (await getObjectText(deps.s3, bucket, `exports/${exportId}.csv`))!;
    const rows = parse(text) as string[][];
    expect(rows[0]).to.deep.equal(['user_id', 'note', 'score']);
    expect(rows.slice(1)).to.have.deep.members([
      ['u1', `'=HYPERLINK("http://x")`, `'+1`],
      ['u2', 'a, quoted "note"', `'-3`],
      ['u3', 'two\nlines', `'@sum`],
      ['u4', `'\tindented`, 'plain'],
      ['-u5', 'ok', '0'],
      ['=1+1', `'@x`, `'-2`],
    ]);
    expect(text).to.contain('"a, quoted ""note"""');
  });

  it('starts at the offsets where its import began, so the records of earlier imports are never read', async () => {
    const topic = deps.config.audienceTopic;
    const endsBefore = await withAdmin(deps.kafka, async (admin) => {
      await ensureTopic(admin, topic, deps.config.audienceTopicPartitions);
      return endOffsets(admin, topic);
    });
    const earlier = await importFile(
      generateUsersCsv(2000).replace('user_id,email,plan', 'user_id,note,score'),
    );
    const endsBetween = await withAdmin(deps.kafka, (admin) => endOffsets(admin, topic));
    const mine = await importFile('user_id,note,score\nm1,a,1\nm2,b,2\n');
    expect(endsBetween.reduce((a, b) => a + b, 0)).to.be.greaterThan(2000);
    const status = (id: string) => readStartOffsets(deps.dynamodb, deps.config.statusTable, id);
    expect(await status(earlier)).to.deep.equal(endsBefore);
    // Nothing was produced between the two imports: the second starts where the first ended (its commit markers included).
    expect(await status(mine)).to.deep.equal(endsBetween);
    for (const jobId of [earlier, mine]) {
      await runEndMarker({ jobId, jobKind: 'import', userSegmentationId: segment }, deps);
    }
    const log = memoryLogger('export-audience');
    const exportId = uniqueId('exp');
    const result = await exportOf(mine, exportId, { ...deps, log });
    expect(result.rowsExported).to.equal(2);
    const complete = log.lines.find((line) => line.event === 'export-complete');
    // Its 2 rows, the earlier import's end markers and its own, one per partition each: not the 2,000 rows before.
    expect(complete?.recordsScanned).to.equal(2 + 2 * 3);
  });

  it('fails with EndMarkerNotFound, naming the open partitions, when the import was never closed', async () => {
    const unclosed = await importFile('user_id,note,score\nz1,a,1\n');
    const exportId = uniqueId('exp');
    try {
      await runExport(
        {
          exportId,
          userSegmentationId: segment,
          importId: unclosed,
          s3Bucket: bucket,
          s3Key: `exports/${exportId}.csv`,
          formulaEscaping: 'attributes',
        },
        deps,
      );
      expect.fail('expected EndMarkerNotFound');
    } catch (error) {
      expect(error).to.be.instanceOf(JobError);
      expect((error as JobError).name).to.equal('EndMarkerNotFound');
      expect((error as JobError).message).to.match(
        new RegExp(`no end marker of import ${unclosed} on partition\\(s\\) 0, 1, 2`),
      );
    }
    expect(await getObjectText(deps.s3, bucket, `exports/${exportId}.csv`)).to.equal(undefined);
  });

  it('with formulaEscaping none, an export imports back to the same users and attributes, byte for byte', async () => {
    // GIVEN an import of values a spreadsheet would take for formulas, quotes, line breaks, spaces, multibyte
    const original = await importFile(ROUND_TRIP_CSV);
    await runEndMarker({ jobId: original, jobKind: 'import', userSegmentationId: segment }, deps);
    // WHEN it is exported without formula escaping and the export is imported again
    const exportId = uniqueId('exp');
    const exported = { exportId, userSegmentationId: segment, importId: original, s3Bucket: bucket };
    await runExport({ ...exported, s3Key: `exports/${exportId}.csv`, formulaEscaping: 'none' }, deps);
    const again = await importFile(await getObject(deps.s3, bucket, `exports/${exportId}.csv`));
    // THEN both imports produced the same users with the same attribute values
    const records = await readTopic(deps.kafka, deps.config.audienceTopic);
    const usersOf = (importId: string) =>
      records
        .filter((record) => record.value.importId === importId)
        .map((record) => [record.value.userId, record.value.attributes] as const)
        .sort(([a], [b]) => (String(a) < String(b) ? -1 : 1));
    expect(usersOf(original)).to.have.length(8);
    expect(usersOf(again)).to.deep.equal(usersOf(original));
  });
});
