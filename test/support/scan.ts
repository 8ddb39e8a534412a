import { CsvScanner, type CsvScannerOptions } from '../../jobs/import-audience/csv-scanner.ts';

/** What the scanner reported, as plain data. */
export type Scanned =
  | { kind: 'record'; line: number; lineCount: number; start: number; end: number; fields: string[] }
  | {
      kind: 'failure';
      why: string;
      line: number;
      start: number;
      end: number;
      byteLength: number;
      head: string;
    };

/** Scans `bytes` pushed in pieces cut at `cuts` (none: one piece); returns what was reported, in order. */
export function scan(
  bytes: Buffer | string,
  options: Partial<CsvScannerOptions> & { expectFields?: number; cuts?: number[] } = {},
): Scanned[] {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const out: Scanned[] = [];
  const scanner = new CsvScanner(
    {
      record: (r) =>
        out.push({
          kind: 'record',
          line: r.line,
          lineCount: r.lineCount,
          start: r.start,
          end: r.end,
          fields: Array.from({ length: r.fieldCount }, (_, i) => r.fieldText(i)),
        }),
      failure: (f) =>
        out.push({
          kind: 'failure',
          why: f.kind,
          line: f.line,
          start: f.start,
          end: f.end,
          byteLength: f.byteLength,
          head: f.head.toString('utf8'),
        }),
    },
    { maxRecordBytes: 1024, ...options },
  );
  if (options.expectFields !== undefined) scanner.expectFields(options.expectFields);
  const points = [...new Set((options.cuts ?? []).map((cut) => cut % (data.length + 1)))].sort(
    (a, b) => a - b,
  );
  let from = 0;
  for (const point of [...points, data.length]) {
    scanner.push(data.subarray(from, point));
    from = point;
  }
  scanner.end();
  return out;
}

/** Just the fields of the records (failures left out). */
export function fieldsOf(scanned: Scanned[]): string[][] {
  return scanned.flatMap((item) => (item.kind === 'record' ? [item.fields] : []));
}
