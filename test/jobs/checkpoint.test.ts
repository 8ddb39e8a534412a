import { expect } from 'chai';
import {
  checkpointOf,
  checkpointOffset,
  type ImportCheckpoint,
} from '../../jobs/import-audience/checkpoint.ts';

const checkpoint: ImportCheckpoint = {
  rowsRead: 40_000,
  rowsProduced: 39_998,
  rowsRejected: 2,
  bytesRead: 2_000_000,
  etag: '"abc"',
  complete: false,
  startOffsets: [0, 12, 7],
};

describe('the import checkpoint', () => {
  it('is an offset commit of rows read carrying the checkpoint as JSON', () => {
    expect(checkpointOffset('audience', checkpoint)).to.deep.equal({
      topic: 'audience',
      partition: 0,
      offset: 40_000,
      metadata: JSON.stringify(checkpoint),
    });
  });

  it('reads back as committed by this client (whole) and by kafkajs (its last byte dropped by the client)', () => {
    const text = JSON.stringify(checkpoint);
    expect(checkpointOf({ topic: 'audience', partition: 0, offset: 40_000, metadata: text })).to.deep.equal(
      checkpoint,
    );
    expect(
      checkpointOf({ topic: 'audience', partition: 0, offset: 40_000, metadata: text.slice(0, -1) }),
    ).to.deep.equal(checkpoint);
    expect(
      checkpointOf({ topic: 'audience', partition: 0, offset: 40_000, metadata: `${text}\0` }),
    ).to.deep.equal(checkpoint);
  });

  it('is absent when nothing was committed', () => {
    expect(checkpointOf(undefined)).to.equal(undefined);
    expect(checkpointOf({ topic: 'audience', partition: 0, offset: -1001 })).to.equal(undefined);
    expect(checkpointOf({ topic: 'audience', partition: 0, offset: 0, metadata: '' })).to.equal(undefined);
  });
});
