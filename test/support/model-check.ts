import { expect } from 'chai';
import { CsvRows, type RowItem } from '../../jobs/import-audience/csv-rows.ts';
import type { ExpectedRow } from './csv-model.ts';

/** What the import made of one record, as a test sees it. */
export type ActualRow =
  | { kind: 'row'; line: number; userId: string; attributes: Record<string, string> }
  | { kind: 'rejected'; line: number; column: string; reason: string };

/**
 * Checks what the import made of a file against the model, record by record: the same count (rowsRead), each
 * valid row produced with its id and byte-identical values, each corrupted row rejected with its line and column.
 */
export function expectModelRows(actual: ActualRow[], expected: ExpectedRow[]): void {
  const describe = (rows: (ActualRow | ExpectedRow)[]) =>
    rows.map((row) => `${row.line}:${row.kind === 'row' ? row.userId : `✗${row.column}`}`).join(' ');
  expect(actual.length, `records: got ${describe(actual)}; expected ${describe(expected)}`).to.equal(
    expected.length,
  );
  expected.forEach((want, i) => {
    const got = actual[i]!;
    const where = `record ${i + 1} (line ${want.line}): got ${JSON.stringify(got)}`;
    expect(got.kind, where).to.equal(want.kind);
    expect(got.line, where).to.equal(want.line);
    if (want.kind === 'row' && got.kind === 'row') {
      expect(got.userId, where).to.equal(want.userId);
      expect(got.attributes, where).to.deep.equal(want.attributes);
    } else if (want.kind === 'rejected' && got.kind === 'rejected') {
      expect(got.column, where).to.equal(want.column);
      expect(got.reason, where).to.match(want.reason);
    }
  });
}

/** Reads a file pushed in pieces cut at `cuts` (any byte: inside a quote, between a CR and its LF, in a character). */
export async function readInPieces(bytes: Buffer, cuts: number[]): Promise<RowItem[]> {
  const rows = await CsvRows.create();
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const items: RowItem[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    items.push(...rows.push(bytes.subarray(from, point)));
    from = point;
  }
  items.push(...rows.end());
  return items;
}
