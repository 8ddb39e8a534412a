import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { readStatusItem } from '../../jobs/audience-status/table.ts';
import { run as closeShardedImport } from '../../jobs/close-sharded-import/run.ts';
import type { JobDeps } from '../../jobs/runtime/clients.ts';
import { readStartOffsets } from '../../jobs/runtime/start-offsets.ts';
import { type ShardSpec, writeShardFiles } from './shard-fixtures.ts';
import { createBucket, getObjectText, localJobDeps, uniqueId } from './support.ts';

describe('jobs: close-sharded-import against the emulator (S3, DynamoDB)', function () {
  this.timeout(60_000);
  let deps: JobDeps;
  let bucket: string;
  const scratch = mkdtempSync(join(tmpdir(), 'close-shards-'));

  before(async () => {
    deps = await localJobDeps();
    bucket = await createBucket(deps.s3);
  });

  const writeShard = (importId: string, k: number, spec: ShardSpec) =>
    writeShardFiles(deps, bucket, scratch, importId, k, spec);

  /** Three shards of a 3,000-byte object: 10 file lines in shard 0 (header included), 20 in shard 1, 5 in shard 2. */
  function threeShards(): ShardSpec[] {
    return [
      {
        firstRecordStart: 13,
        nextRecordStart: 1000,
        lineCount: 10,
        ids: [
          ['a1', 2],
          ['a2', 3],
        ],
        rejected: [{ line: 4, column: 'user_id', reason: 'empty user id', raw: ',x' }],
        startOffsets: [5, 7, 9],
      },
      {
        firstRecordStart: 1000,
        nextRecordStart: 2100,
        lineCount: 20,
        ids: [
          ['b1', 1],
          ['b2', 4],
        ],
        startOffsets: [4, 8, 9],
      },
      {
        firstRecordStart: 2100,
        nextRecordStart: 3000,
        lineCount: 5,
        ids: [['c1', 1]],
        rejected: [
          { line: 2, column: 'user_id', reason: 'duplicate of line 1', raw: 'c1,"multi\nline"' },
          { line: 4, column: '', reason: 'too few columns: expected 2, got 1', raw: 'c9' },
        ],
        startOffsets: [6, 7, 2],
      },
    ];
  }

  async function close(
    importId: string,
    shards: ShardSpec[],
    extra: Partial<{ maxRejectedRows: number; objectBytes: number }> = {},
  ) {
    for (const [k, spec] of shards.entries()) await writeShard(importId, k, spec);
    return closeShardedImport(
      {
        importId,
        userSegmentationId: 'seg',
        s3Bucket: bucket,
        s3Key: `imports/seg/${importId}.csv`,
        shardCount: shards.length,
        maxRejectedRows: 10,
        objectBytes: 3000,
        ...extra,
      },
      deps,
    );
  }

  it('closes shards that tile the object: sums, earliest start offsets, one rejects file with file lines', async () => {
    const importId = uniqueId('imp');
    const output = await close(importId, threeShards());
    expect(output).to.deep.include({
      outcome: 'complete',
      rowsRead: 8,
      rowsProduced: 5,
      rowsRejected: 3,
      bytesRead: 2987,
    });
    const item = await readStatusItem(deps.dynamodb, deps.config.statusTable, importId);
    expect(item).to.deep.include({ rowsRead: 8, rowsProduced: 5, rowsRejected: 3, bytesRead: 2987 });
    expect(item?.countsAt).to.be.a('string');
    expect(await readStartOffsets(deps.dynamodb, deps.config.statusTable, importId)).to.deep.equal([4, 7, 2]);
    const rejects = parse((await getObjectText(deps.s3, bucket, `rejects/${importId}.csv`))!, {
      columns: true,
    });
    // Shard 2's lines follow the 10 + 20 lines of shards 0 and 1; its duplicate names the file line too.
    expect(rejects).to.deep.equal([
      { line: '4', column: 'user_id', reason: 'empty user id', raw: ',x' },
      { line: '32', column: 'user_id', reason: 'duplicate of line 31', raw: 'c1,"multi\nline"' },
      { line: '34', column: '', reason: 'too few columns: expected 2, got 1', raw: 'c9' },
    ]);
  });

  it('asks for an unsharded run when a shard started elsewhere than where the one before ended its records', async () => {
    const importId = uniqueId('imp');
    const shards = threeShards();
    shards[1]!.nextRecordStart = 2090;
    const output = await close(importId, shards);
    expect(output).to.deep.include({ outcome: 'rerun-unsharded', mismatchedBoundaries: 1 });
    expect(output.outcome === 'rerun-unsharded' && output.reason).to.contain(
      'shard 1 ends its records at byte 2090 but shard 2 started at byte 2100',
    );
    expect(await readStatusItem(deps.dynamodb, deps.config.statusTable, importId)).to.equal(undefined);
    expect(await getObjectText(deps.s3, bucket, `rejects/${importId}.csv`)).to.equal(undefined);
  });

  it('asks for an unsharded run when the last shard does not end at the object end, or a shard left no summary', async () => {
    const short = await close(uniqueId('imp'), threeShards(), { objectBytes: 3001 });
    expect(short.outcome === 'rerun-unsharded' && short.reason).to.contain("not at the object's end 3001");
    const importId = uniqueId('imp');
    const missing = await close(importId, threeShards().slice(0, 2), {});
    expect(missing.outcome).to.equal('rerun-unsharded');
    const fourth = await closeShardedImport(
      {
        importId,
        userSegmentationId: 'seg',
        s3Bucket: bucket,
        s3Key: 'imports/seg/x.csv',
        shardCount: 3,
        maxRejectedRows: 10,
        objectBytes: 3000,
      },
      deps,
    );
    expect(fourth).to.deep.include({ outcome: 'rerun-unsharded', mismatchedBoundaries: 1 });
    expect(fourth.outcome === 'rerun-unsharded' && fourth.reason).to.contain('shard 2 left no summary');
  });

  it('counts user ids in more than one shard exactly and names their file lines', async () => {
    const importId = uniqueId('imp');
    const shards = threeShards();
    shards[1]!.ids.push(['a2', 9]);
    shards[2]!.ids.push(['a2', 3], ['b1', 5]);
    const output = await close(importId, shards);
    expect(output).to.deep.include({
      outcome: 'rerun-unsharded',
      duplicatesAcrossShards: 3,
      mismatchedBoundaries: 0,
    });
    const reason = output.outcome === 'rerun-unsharded' ? output.reason : '';
    expect(reason).to.contain('3 user ids appear in more than one shard');
    expect(reason).to.contain('line 3 (shard 0), line 19 (shard 1), line 33 (shard 2)');
    expect(reason).to.contain('line 11 (shard 1), line 35 (shard 2)');
    expect(await readStatusItem(deps.dynamodb, deps.config.statusTable, importId)).to.equal(undefined);
  });

  it('applies the rejection threshold to the whole import, repeated ids counted', async () => {
    const atLimit = await close(uniqueId('imp'), threeShards(), { maxRejectedRows: 3 });
    expect(atLimit.outcome).to.equal('complete');
    const importId = uniqueId('imp');
    const shards = threeShards();
    shards[2]!.ids.push(['a1', 5]);
    const error = await close(importId, shards, { maxRejectedRows: 3 }).then(
      () => expect.fail('the reduce accepted too many rejections'),
      (e: unknown) => e as Error,
    );
    expect(error.name).to.equal('TooManyRejectedRows');
    expect(error.message)
      .to.contain('3 rows rejected by the shards and 1 user ids repeated across shards, 4 in all')
      .and.contain(`rejects/${importId}.csv`);
    expect(await getObjectText(deps.s3, bucket, `rejects/${importId}.csv`)).to.contain(
      'duplicate of line 31',
    );
  });
});
