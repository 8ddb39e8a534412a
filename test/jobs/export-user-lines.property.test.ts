import { expect } from 'chai';
import fc from 'fast-check';
import { exportCells, type FormulaEscaping } from '../../jobs/export-audience/csv-cells.ts';
import { CsvChunk, LineOutcome, UserLineWriter } from '../../jobs/export-audience/user-line-writer.ts';
import { isUserRecord } from '../../jobs/runtime/audience-records.ts';
import { propertyRuns } from '../support/property.ts';

/** Pieces strings are made of: CSV and formula specials, JSON escapes, Unicode white space, astral and lone surrogates. */
const piece = fc.oneof(
  fc.constantFrom(
    ',',
    ' ',
    '"',
    '\\',
    '=',
    '+',
    '-',
    '@',
    '\t',
    '\r',
    '\n',
    '\u00a0',
    '\u2028',
    'é',
    '😀',
    '\ud800',
    '/',
  ),
  fc.string({ unit: 'binary', maxLength: 4 }),
  // Text JSON writes as it is (most ids and values), so many records take the bytes path.
  { arbitrary: fc.stringMatching(/^[\w ,=+@.-]{0,6}$/), weight: 4 },
);
const text = fc.array(piece, { maxLength: 5 }).map((pieces) => pieces.join(''));

/** How a value is written: as the import writes it, or in one of the ways only JSON.parse reads. */
const shapes = [
  'import',
  'other-import',
  'other-segment',
  'attribute-missing',
  'attribute-extra',
  'attributes-reordered',
  'spaced',
  'not-utf8',
] as const;

const recordCase = fc.record({
  importId: text,
  segmentation: text,
  userId: text,
  names: fc.uniqueArray(text, { maxLength: 4 }),
  values: fc.array(text, { minLength: 4, maxLength: 4 }),
  shape: fc.constantFrom(...shapes),
  escaping: fc.constantFrom<FormulaEscaping>('attributes', 'none'),
  junk: fc.uint8Array({ maxLength: 8 }),
});

type RecordCase = typeof recordCase extends fc.Arbitrary<infer T> ? T : never;

/** The value's bytes for a case, written as `userRecordJson` would, then changed as its shape says. */
function valueBytes(c: RecordCase): Buffer {
  const attributes: Record<string, string> = {};
  c.names.forEach((name, i) => {
    if (c.shape !== 'attribute-missing' || i !== 0) attributes[name] = c.values[i]!;
  });
  if (c.shape === 'attribute-extra') attributes[`${c.names.join('')}+extra`] = 'x';
  const ordered =
    c.shape === 'attributes-reordered'
      ? Object.fromEntries(Object.entries(attributes).reverse())
      : attributes;
  const value = {
    type: 'user',
    userSegmentationId: c.shape === 'other-segment' ? `${c.segmentation}~` : c.segmentation,
    userId: c.userId,
    attributes: ordered,
    importId: c.shape === 'other-import' ? `${c.importId}~` : c.importId,
  };
  const json = Buffer.from(c.shape === 'spaced' ? JSON.stringify(value, null, 1) : JSON.stringify(value));
  if (c.shape !== 'not-utf8') return json;
  // A byte that is not UTF-8 in the middle of the user id's string (at an end, the field is decoded anyway).
  const at = json.indexOf('"userId":"') + '"userId":"'.length;
  return Buffer.concat([json.subarray(0, at), Buffer.from([0x61, 0xff, 0x62]), json.subarray(at)]);
}

/** What the JSON.parse path writes for the value: the row's line, or undefined for another import's record. */
function parsedLine(c: RecordCase, value: Buffer): string | undefined {
  const user: unknown = JSON.parse(value.toString('utf8'));
  if (!isUserRecord(user)) throw new Error('the generator wrote a record that is not a user record');
  if (user.importId !== c.importId || user.userSegmentationId !== c.segmentation) return undefined;
  return exportCells(c.escaping).rowLine(user.userId, user.attributes, c.names);
}

/** Whether JSON.stringify writes an escape for some character of the text. */
function escapes(value: string): boolean {
  return JSON.stringify(value).length !== value.length + 2 || /[\\"]/.test(value);
}

describe("export: a user record's CSV line from its bytes, against JSON.parse", () => {
  it('writes the same bytes as the JSON.parse path, or leaves the record to it, for generated records', () => {
    let written = 0;
    fc.assert(
      fc.property(recordCase, (c) => {
        const value = valueBytes(c);
        // The value among other bytes, as in a fetched batch: the reader must not look past its end.
        const junk = Buffer.from(c.junk);
        const bytes = Buffer.concat([junk, value, junk]);
        const writer = new UserLineWriter(c.importId, c.segmentation, c.escaping);
        writer.setColumns(c.names);
        const chunk = new CsvChunk(8);
        const outcome = writer.write(bytes, junk.length, junk.length + value.length, chunk);
        const expected = parsedLine(c, value);
        const got = chunk.bytes.subarray(0, chunk.length);
        if (outcome === LineOutcome.Written) {
          written++;
          expect(expected, 'written, but not the import').not.to.equal(undefined);
          expect(got.toString('utf8')).to.equal(expected);
          expect(Buffer.compare(got, Buffer.from(expected!))).to.equal(0);
        } else {
          expect(chunk.length, 'nothing written').to.equal(0);
          if (outcome === LineOutcome.OtherImport)
            expect(expected, 'the import, skipped').to.equal(undefined);
        }
        // The import's own records without escapes are always written from their bytes, when their attributes are
        // in the header's order (JavaScript puts integer-like names such as "6" first: those go to JSON.parse).
        const strings = [
          c.importId,
          c.segmentation,
          c.userId,
          ...c.names,
          ...c.values.slice(0, c.names.length),
        ];
        const keys = Object.keys((JSON.parse(value.toString()) as { attributes: object }).attributes);
        const inOrder = c.names.every((name, i) => keys[i] === name);
        if (c.shape === 'import' && inOrder && !strings.some(escapes))
          expect(outcome).to.equal(LineOutcome.Written);
        if (c.shape.startsWith('other-') && inOrder && !strings.some(escapes))
          expect(outcome).to.equal(LineOutcome.OtherImport);
      }),
      propertyRuns(3000),
    );
    expect(written, 'records written from their bytes').to.be.above(300);
  });

  it('grows its chunk for a long line and keeps what it had', () => {
    const writer = new UserLineWriter('imp', 'seg', 'attributes');
    writer.setColumns(['plan']);
    const chunk = new CsvChunk(4);
    chunk.writeText('a,b\n');
    const long = 'x'.repeat(10_000);
    const value = Buffer.from(
      JSON.stringify({
        type: 'user',
        userSegmentationId: 'seg',
        userId: 'u1',
        attributes: { plan: `=${long}` },
        importId: 'imp',
      }),
    );
    expect(writer.write(value, 0, value.length, chunk)).to.equal(LineOutcome.Written);
    expect(chunk.bytes.toString('utf8', 0, chunk.length)).to.equal(`a,b\nu1,'=${long}\n`);
    expect(chunk.take().length).to.equal(4 + 3 + 2 + long.length + 1);
    expect(chunk.length).to.equal(0);
  });
});
