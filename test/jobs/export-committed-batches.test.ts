import { IS_CONTROL, IS_TRANSACTIONAL } from '@platformatic/kafka';
import { expect } from 'chai';
import { committedBatches } from '../../jobs/export-audience/committed-batches.ts';
import type { BatchHeader } from '../../jobs/export-audience/record-batches.ts';

/** The header of a batch of `count` records at `firstOffset` written by `producerId` (transactional unless said). */
function batch(firstOffset: number, count: number, producerId: number, transactional = true): BatchHeader {
  return {
    firstOffset: BigInt(firstOffset),
    lastOffsetDelta: count - 1,
    attributes: transactional ? IS_TRANSACTIONAL : 0,
    producerId: BigInt(producerId),
    controlType: -1,
  };
}

/** The transaction marker (control batch) a producer's commit (type 1) or abort (type 0) writes. */
function marker(offset: number, producerId: number, type: 0 | 1): BatchHeader {
  return { ...batch(offset, 1, producerId), attributes: IS_TRANSACTIONAL | IS_CONTROL, controlType: type };
}

const offsetsOf = (batches: BatchHeader[]) => batches.map((b) => Number(b.firstOffset));

describe('export-audience: read_committed, aborted transactions dropped', () => {
  it('drops every aborted transaction of a producer, also two in one response, and keeps its committed ones', () => {
    const fetched = [
      batch(0, 3, 7), // aborted
      marker(3, 7, 0),
      batch(4, 3, 7), // aborted again, by the same transactional producer (a re-run of an import)
      marker(7, 7, 0),
      batch(8, 3, 7), // committed
      marker(11, 7, 1),
    ];
    const aborted = [
      { producerId: 7n, firstOffset: 0n },
      { producerId: 7n, firstOffset: 4n },
    ];
    expect(offsetsOf(committedBatches(fetched, aborted))).to.deep.equal([8]);
  });

  it('keeps other producers interleaved with an aborted transaction, and records written outside transactions', () => {
    const fetched = [batch(0, 2, 7), batch(2, 2, 8), batch(4, 1, 9, false), marker(5, 7, 0), marker(6, 8, 1)];
    expect(offsetsOf(committedBatches(fetched, [{ producerId: 7n, firstOffset: 0n }]))).to.deep.equal([2, 4]);
  });

  it('drops an aborted transaction whose abort marker is beyond this response', () => {
    const fetched = [batch(0, 2, 8), batch(2, 2, 7)];
    expect(offsetsOf(committedBatches(fetched, [{ producerId: 7n, firstOffset: 2n }]))).to.deep.equal([0]);
  });

  it('keeps everything when no transaction was aborted, control batches aside', () => {
    expect(
      offsetsOf(committedBatches([batch(0, 2, 7), marker(2, 7, 1), batch(3, 1, 7)], null)),
    ).to.deep.equal([0, 3]);
  });
});
