import { createRecordsBatch, IS_CONTROL, Reader, readRecordsBatches } from '@platformatic/kafka';
import { expect } from 'chai';
import fc from 'fast-check';
import { forEachRecord, readRecordBatches } from '../../jobs/export-audience/record-batches.ts';

const TYPE = Buffer.from('record-type');

/** Records with keys, values (null among them), any headers; what each must read back as. */
const records = fc.array(
  fc.record({
    key: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    value: fc.string({ maxLength: 300 }),
    type: fc.option(fc.constantFrom('user', 'end-marker', ''), { nil: undefined }),
    other: fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 })), { maxLength: 3 }),
  }),
  { minLength: 1, maxLength: 40 },
);

function batchOf(
  input: { key?: string; value: string; type?: string; other: [string, string][] }[],
  compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd',
) {
  return createRecordsBatch(
    input.map(({ key, value, type, other }) => ({
      topic: 't',
      ...(key === undefined ? {} : { key: Buffer.from(key) }),
      value: Buffer.from(value),
      headers: new Map([
        ...other.map(([name, text]) => [Buffer.from(`x-${name}`), Buffer.from(text)] as [Buffer, Buffer]),
        ...(type === undefined ? [] : [[TYPE, Buffer.from(type)] as [Buffer, Buffer]]),
      ]),
    })),
    { compression },
  ).buffer;
}

describe('export-audience: record batches read from their bytes', () => {
  for (const compression of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
    it(`reads what @platformatic/kafka reads: keys, values, offsets, the record-type header (${compression})`, () => {
      fc.assert(
        fc.property(fc.array(records, { minLength: 1, maxLength: 3 }), (batches) => {
          const bytes = Buffer.concat(batches.map((batch) => batchOf(batch, compression)));
          const expected = readRecordsBatches(Reader.from(bytes)).flatMap((batch) =>
            batch.records.map((record) => ({
              offsetDelta: record.offsetDelta,
              // The export never needs a key: a null key reads as an empty one.
              key: record.key?.toString() ?? '',
              value: record.value?.toString() ?? null,
              type: record.headers.find(([name]) => name?.equals(TYPE))?.[1]?.toString() ?? null,
            })),
          );
          const read = readRecordBatches(bytes).flatMap((batch) => {
            const seen: unknown[] = [];
            forEachRecord(batch, TYPE, (view) =>
              seen.push({
                offsetDelta: view.offsetDelta,
                key: batch.records.toString('utf8', view.keyStart, view.keyEnd),
                value:
                  view.valueEnd < 0 ? null : batch.records.toString('utf8', view.valueStart, view.valueEnd),
                type:
                  view.headerStart < 0
                    ? null
                    : batch.records.toString('utf8', view.headerStart, view.headerEnd),
              }),
            );
            return seen;
          });
          expect(read).to.deep.equal(expected);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('leaves a batch cut short at the end of a fetch for the next one', () => {
    const first = batchOf([{ value: 'a', other: [] }], 'none');
    const second = batchOf(
      [
        { value: 'b', other: [] },
        { value: 'c', other: [] },
      ],
      'none',
    );
    const bytes = Buffer.concat([first, second.subarray(0, second.length - 3)]);
    expect(readRecordBatches(bytes)).to.have.length(1);
  });

  it("reads a control batch's marker type (0 abort, 1 commit) and marks data batches -1", () => {
    const data = batchOf([{ value: 'a', other: [] }], 'none');
    // A control batch's single record has a 4-byte key: version 0, type 1 (commit); built from a data batch.
    const commit = createRecordsBatch(
      [{ topic: 't', key: Buffer.from([0, 0, 0, 1]), value: Buffer.alloc(6) }],
      { compression: 'none' },
    ).buffer;
    const marked = Buffer.from(commit);
    marked.writeInt16BE(marked.readInt16BE(21) | IS_CONTROL, 21);
    const [dataBatch, controlBatch] = readRecordBatches(Buffer.concat([data, marked]));
    expect(dataBatch!.controlType).to.equal(-1);
    expect(controlBatch!.controlType).to.equal(1);
  });
});
