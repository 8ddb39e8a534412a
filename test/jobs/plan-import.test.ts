import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { run as planImport } from '../../jobs/plan-import/run.ts';
import type { JobDeps } from '../../jobs/runtime/clients.ts';
import type { ImportPlanThresholds } from '../../jobs/runtime/config.ts';
import { createBucket, localJobDeps, putObject, uniqueId } from './support.ts';

/** Small thresholds, so objects of a few KiB cross every one of them. */
const thresholds: ImportPlanThresholds = {
  lambdaMaxBytes: 8000,
  shardBytes: 20_000,
  maxShards: 4,
  maxConcurrency: 3,
};

/** A CSV text of exactly `size` bytes: a header, then rows of ids. */
function csvOfSize(size: number): Buffer {
  const header = 'user_id,plan\n';
  let body = header;
  for (let i = 0; body.length < size; i++) body += `u${i},free\n`;
  return Buffer.from(body.slice(0, size));
}

describe('jobs: plan-import against the S3 emulator', function () {
  this.timeout(60_000);
  let deps: JobDeps;
  let bucket: string;

  before(async () => {
    const base = await localJobDeps();
    deps = { ...base, config: { ...base.config, importPlan: thresholds } };
    bucket = await createBucket(deps.s3);
  });

  async function planOf(body: Buffer | string, name = `${uniqueId('imp')}.csv`, contentEncoding?: string) {
    const key = `imports/seg/${name}`;
    if (contentEncoding) {
      await deps.s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentEncoding: contentEncoding }),
      );
    } else {
      await putObject(deps.s3, bucket, key, body);
    }
    return planImport({ importId: 'imp', s3Bucket: bucket, s3Key: key }, deps);
  }

  async function errorOf(body: Buffer | string, name: string): Promise<Error> {
    return planOf(body, name).then(
      () => expect.fail('the plan accepted the object'),
      (error: unknown) => error as Error,
    );
  }

  it('picks Lambda up to lambdaMaxBytes, with the ETag S3 gave and the reason', async () => {
    const plan = await planOf(csvOfSize(8000));
    expect(plan).to.deep.include({ executor: 'lambda', objectBytes: 8000, compressed: false, shards: [] });
    expect(plan.etag).to.match(/^"[0-9a-f]+"$/);
    expect(plan.reason).to.contain('at most lambdaMaxBytes = 7.8 KiB (8,000 bytes)');
    expect(plan.maxConcurrency).to.equal(3);
  });

  it('picks one Fargate task above lambdaMaxBytes, up to one shard', async () => {
    expect((await planOf(csvOfSize(8001))).executor).to.equal('fargate');
    const plan = await planOf(csvOfSize(20_000));
    expect(plan).to.deep.include({ executor: 'fargate', shards: [] });
    expect(plan.reason).to.contain('at most one shard');
  });

  it('shards above shardBytes into equal ranges that tile the object', async () => {
    const plan = await planOf(csvOfSize(20_001));
    expect(plan.executor).to.equal('sharded');
    expect(plan.shards).to.deep.equal([
      { shardIndex: 0, shardCount: 2, rangeStart: 0, rangeEnd: 10_000 },
      { shardIndex: 1, shardCount: 2, rangeStart: 10_000, rangeEnd: 20_001 },
    ]);
    expect(plan.reason).to.contain('2 shards').and.contain('at most 3 at once');
  });

  it('caps the shards at maxShards', async () => {
    const plan = await planOf(csvOfSize(200_000));
    expect(plan.shards.map((s) => [s.rangeStart, s.rangeEnd])).to.deep.equal([
      [0, 50_000],
      [50_000, 100_000],
      [100_000, 150_000],
      [150_000, 200_000],
    ]);
    expect(plan.reason).to.contain('capped at maxShards = 4');
  });

  it('never shards gzip: Lambda up to lambdaMaxBytes / 8, one Fargate task above, whatever the key says', async () => {
    const small = gzipSync(csvOfSize(4000));
    expect(small.length).to.be.at.most(1000);
    expect(await planOf(small, 'no-suffix.csv')).to.deep.include({ executor: 'lambda', compressed: true });
    // Random bytes do not compress: a gzip object well past every threshold.
    const large = gzipSync(
      Buffer.from(Array.from({ length: 60_000 }, () => Math.floor(Math.random() * 256))),
    );
    const plan = await planOf(large, 'large.csv.gz');
    expect(plan).to.deep.include({ executor: 'fargate', compressed: true, shards: [] });
    expect(plan.reason).to.contain('gzip cannot be split');
  });

  it('takes gzip bytes declared by Content-Encoding as gzip, and reads text as text', async () => {
    const gzip = gzipSync(csvOfSize(30_000));
    expect((await planOf(gzip, 'declared.csv', 'gzip')).compressed).to.equal(true);
    expect((await planOf(csvOfSize(100), 'text.csv')).compressed).to.equal(false);
  });

  it("refuses, with the import's words, a .gz key over text and a UTF-16 file", async () => {
    const gz = await errorOf('user_id,plan\nu1,free\n', 'text.csv.gz');
    expect(gz.name).to.equal('InvalidInput');
    expect(gz.message).to.contain("the '.gz' suffix").and.contain('found 75 73 65 72');
    const utf16 = await errorOf(Buffer.from('\ufeffuser_id\n', 'utf16le'), 'utf16.csv');
    expect(utf16.name).to.equal('InvalidInput');
    expect(utf16.message).to.contain('UTF-16 LE');
  });

  it('plans an empty object for Lambda, and names a missing one SourceNotFound', async () => {
    expect(await planOf(Buffer.alloc(0), 'empty.csv')).to.deep.include({
      executor: 'lambda',
      objectBytes: 0,
    });
    const missing = await planImport(
      { importId: 'imp', s3Bucket: bucket, s3Key: 'imports/seg/missing.csv' },
      deps,
    ).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(missing?.name).to.equal('SourceNotFound');
  });
});
