import { expect } from 'chai';
import fc from 'fast-check';
import type { ImportBatch } from '../../jobs/import-audience/import-batch.ts';
import type { ShardRange } from '../../jobs/import-audience/import-reading.ts';
import { closeJobDeps, type JobDeps } from '../../jobs/runtime/clients.ts';
import { type FilePlan, filePlan, writeCsvFile } from '../support/csv-model.ts';
import { type ActualRow, expectModelRows } from '../support/model-check.ts';
import { propertyRuns } from '../support/property.ts';
import { createBucket, localJobDeps, openImportReading, putObject, uniqueId } from './support.ts';

/** What a batch holds, as the model check reads it (record values decoded). */
function actualRows(batch: ImportBatch): ActualRow[] {
  const rows: ActualRow[] = [];
  for (let i = 0; i < batch.size; i++) {
    const rejection = batch.rejection(i);
    if (rejection) {
      rows.push({
        kind: 'rejected',
        line: rejection.line,
        column: rejection.column,
        reason: rejection.reason,
      });
      continue;
    }
    const value = JSON.parse(batch.value(i).toString('utf8')) as {
      userId: string;
      attributes: Record<string, string>;
    };
    expect(batch.key(i).toString('utf8')).to.equal(value.userId);
    rows.push({ kind: 'row', line: NaN, userId: value.userId, attributes: value.attributes });
  }
  return rows;
}

/** Ids made unique per row (a shard cannot see another's ids: repeated ids across shards are the close step's). */
function withUniqueIds(plan: FilePlan): FilePlan {
  return {
    ...plan,
    rows: plan.rows.map((row, i) => ({
      ...row,
      id: row.corruption?.kind === 'empty-id' ? row.id : `${i}~${row.id}`,
      corruption: row.corruption?.kind === 'duplicate-id' ? undefined : row.corruption,
    })),
  };
}

describe('import reading in blocks and shards: generated files against the model', function () {
  this.timeout(300_000);
  let deps: JobDeps;
  let bucket: string;
  /** Blocks whose guessed start fell inside a record, read again (the property must meet some). */
  let reread = 0;
  before(async () => {
    deps = await localJobDeps();
    bucket = await createBucket(deps.s3);
  });
  after(() => closeJobDeps(deps));

  /** Reads an object (or a shard of it) to the end; rows carry lines through the batch, as the job sees them. */
  async function read(key: string, blockBytes: number, workers: number, shard?: ShardRange) {
    const reading = await openImportReading(
      deps,
      { bucket, key, ...(shard ? { shard } : {}) },
      blockBytes,
      workers,
    );
    const rows: ActualRow[] = [];
    try {
      for await (const batch of reading.batches()) {
        const lines = Array.from({ length: batch.size }, (_, i) => batch.rejection(i)?.line);
        const got = actualRows(batch);
        for (const [i, row] of got.entries()) rows.push({ ...row, line: lines[i] ?? NaN });
      }
    } finally {
      await reading.close();
    }
    reread += reading.blocksReread;
    return { rows, extent: reading.readExtent, size: reading.object.size };
  }

  it('reads every generated file in blocks of any size, in worker threads or not, exactly as the model says', async () => {
    await fc.assert(
      fc.asyncProperty(
        filePlan({ maxRows: 15 }),
        fc.nat(),
        fc.boolean(),
        async (plan, blockSeed, inWorkers) => {
          const file = writeCsvFile(plan);
          const key = `imports/${uniqueId('blocks')}.csv`;
          await putObject(deps.s3, bucket, key, file.bytes);
          // Blocks from 8 bytes (boundaries inside quotes, between a CR and its LF, in a character) to the whole file.
          const blockBytes = 8 + (blockSeed % Math.max(1, Math.ceil(file.bytes.length / 2)));
          const { rows } = await read(key, blockBytes, inWorkers ? 1 : 0);
          // Valid rows carry no line in a batch: take the model's, once kinds and order agree.
          expectModelRows(
            rows.map((row, i) =>
              row.kind === 'row' ? { ...row, line: file.expected[i]?.line ?? NaN } : row,
            ),
            file.expected,
          );
        },
      ),
      propertyRuns(60),
    );
    expect(reread, 'blocks read again after a guess inside a quoted line break').to.be.greaterThan(0);
  });

  it('reads the shards of a generated file into exactly the unsharded records, or finds the misplaced boundary', async () => {
    let joined = 0;
    let misplaced = 0;
    await fc.assert(
      fc.asyncProperty(
        filePlan({ maxRows: 15 }).map(withUniqueIds),
        fc.uniqueArray(fc.nat(), { maxLength: 3 }),
        fc.nat(),
        async (plan, cutSeeds, blockSeed) => {
          const file = writeCsvFile(plan);
          const key = `imports/${uniqueId('shards')}.csv`;
          await putObject(deps.s3, bucket, key, file.bytes);
          const size = file.bytes.length;
          const cuts = [...new Set(cutSeeds.map((seed) => seed % (size + 1)))].sort((a, b) => a - b);
          const bounds = [0, ...cuts, size];
          const blockBytes = 8 + (blockSeed % Math.max(1, size));
          const shards: Awaited<ReturnType<typeof read>>[] = [];
          for (let k = 0; k + 1 < bounds.length; k++) {
            shards.push(
              await read(key, blockBytes, 0, {
                shardIndex: k,
                rangeStart: bounds[k]!,
                rangeEnd: bounds[k + 1]!,
              }),
            );
          }
          // The close step's check: each shard ends where the next one started.
          const chained = shards.every(
            (shard, k) => k === 0 || shards[k - 1]!.extent.nextRecordStart === shard.extent.firstRecordStart,
          );
          expect(shards.at(-1)!.extent.nextRecordStart).to.equal(size);
          if (!chained) {
            misplaced++;
            return;
          }
          joined++;
          // Then the shards' records, lines made absolute, are the whole file's, each once.
          let linesBefore = 0;
          const union: ActualRow[] = [];
          for (const shard of shards) {
            for (const row of shard.rows) union.push({ ...row, line: row.line + linesBefore });
            linesBefore += shard.extent.lineCount;
          }
          expectModelRows(
            union.map((row, i) =>
              row.kind === 'row' ? { ...row, line: file.expected[i]?.line ?? NaN } : row,
            ),
            file.expected,
          );
        },
      ),
      propertyRuns(60),
    );
    // Both outcomes must have been met for the property to say anything.
    expect(joined, 'sharded readings whose boundaries joined').to.be.greaterThan(0);
    expect(misplaced, 'sharded readings with a misplaced boundary').to.be.greaterThan(0);
  });
});
