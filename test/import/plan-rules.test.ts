import { expect } from 'chai';
import fc from 'fast-check';
import { chooseImportPlan, equalRanges, GZIP_EXPANSION } from '../../jobs/plan-import/plan-rules.ts';
import { IMPORT_PLAN_DEFAULTS } from '../../jobs/runtime/config.ts';

const t = IMPORT_PLAN_DEFAULTS;
const planFor = (size: number, compressed = false) => chooseImportPlan({ size, etag: '"e"', compressed }, t);

describe('import plan rules (defaults)', () => {
  it('changes executor exactly at each threshold', () => {
    expect(planFor(t.lambdaMaxBytes).executor).to.equal('lambda');
    expect(planFor(t.lambdaMaxBytes + 1).executor).to.equal('fargate');
    expect(planFor(t.shardBytes).executor).to.equal('fargate');
    expect(planFor(t.shardBytes + 1).shards).to.have.length(2);
    expect(planFor(t.shardBytes * 3).shards).to.have.length(3);
    expect(planFor(t.shardBytes * 3 + 1).shards).to.have.length(4);
    expect(planFor(t.shardBytes * (t.maxShards + 5)).shards).to.have.length(t.maxShards);
  });

  it('sizes gzip for Lambda by its expected text, and never shards it', () => {
    const gzipLambdaMax = Math.floor(t.lambdaMaxBytes / GZIP_EXPANSION);
    expect(planFor(gzipLambdaMax, true).executor).to.equal('lambda');
    expect(planFor(gzipLambdaMax + 1, true).executor).to.equal('fargate');
    expect(planFor(t.shardBytes * 100, true)).to.deep.include({ executor: 'fargate', shards: [] });
  });

  it('equal ranges tile [0, size) without gaps or overlaps, each within one byte of the others', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), fc.integer({ min: 1, max: 1000 }), (size, wanted) => {
        const count = Math.min(size, wanted);
        const ranges = equalRanges(size, count);
        expect(ranges[0]!.rangeStart).to.equal(0);
        expect(ranges.at(-1)!.rangeEnd).to.equal(size);
        const lengths = ranges.map((r) => r.rangeEnd - r.rangeStart);
        ranges.forEach((r, i) => {
          expect(r).to.deep.include({ shardIndex: i, shardCount: count });
          if (i > 0) expect(r.rangeStart).to.equal(ranges[i - 1]!.rangeEnd);
        });
        expect(Math.max(...lengths) - Math.min(...lengths)).to.be.at.most(1);
        expect(Math.min(...lengths)).to.be.at.least(1);
      }),
    );
  });
});
