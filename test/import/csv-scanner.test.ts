import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { CsvScanner } from '../../jobs/import-audience/csv-scanner.ts';
import { filePlan, writeCsvFile } from '../support/csv-model.ts';
import { propertyRuns } from '../support/property.ts';
import { fieldsOf, scan } from '../support/scan.ts';

describe('CSV scanner', () => {
  describe('on valid files, agrees with csv-parse (the oracle)', () => {
    it('gives the same records as csv-parse for 500 generated valid files', () => {
      // GIVEN valid files: every line ending and mixes of them, quoted delimiters, quotes and line breaks,
      // multibyte and emoji, a BOM or not, quotes inside unquoted fields
      fc.assert(
        fc.property(filePlan({ corruptions: false }), (plan) => {
          const { bytes } = writeCsvFile(plan);
          // WHEN both read it
          const oracle = parse(bytes, {
            bom: true,
            record_delimiter: ['\r\n', '\n', '\r'],
            relax_column_count: true,
            relax_quotes: true,
          }) as string[][];
          // THEN they agree, field by field
          expect(fieldsOf(scan(bytes))).to.deep.equal(oracle);
        }),
        propertyRuns(500),
      );
    });
  });

  describe('invariants', () => {
    it('reports the same whatever the chunks, and records tile the file byte for byte', () => {
      fc.assert(
        fc.property(filePlan(), fc.array(fc.nat(), { maxLength: 8 }), (plan, cuts) => {
          const { bytes } = writeCsvFile(plan);
          // A tiny size limit too, so records fail as too long and long first lines are skipped across chunks.
          for (const maxRecordBytes of [1024, 12]) {
            expect(scan(bytes, { cuts, maxRecordBytes })).to.deep.equal(scan(bytes, { maxRecordBytes }));
          }
          const whole = scan(bytes);
          // Every byte after the BOM belongs to exactly one record or failed line, in order.
          let offset = plan.bom ? 3 : 0;
          for (const item of whole) {
            expect(item.start).to.equal(offset);
            offset = item.end;
          }
          expect(offset).to.equal(bytes.length);
        }),
        propertyRuns(500),
      );
    });

    it('reads a byte range from a record start with its offset and line as the whole scan does', () => {
      fc.assert(
        fc.property(filePlan(), fc.nat(), (plan, pick) => {
          const { bytes } = writeCsvFile(plan);
          const whole = scan(bytes);
          const from = whole[pick % whole.length]!;
          const tail = scan(bytes.subarray(from.start), { startOffset: from.start, startLine: from.line });
          expect(tail).to.deep.equal(whole.slice(whole.indexOf(from)));
        }),
        propertyRuns(300),
      );
    });
  });

  describe('records', () => {
    it('ends lines at CRLF, LF and CR mixed in one file; a CR before LF never stays in a value', () => {
      expect(fieldsOf(scan('a,b\r\nc,d\ne,f\rg,h'))).to.deep.equal([
        ['a', 'b'],
        ['c', 'd'],
        ['e', 'f'],
        ['g', 'h'],
      ]);
    });

    it('keeps CR and LF inside quotes as content, and numbers lines after them', () => {
      const scanned = scan('id,note\r\n1,"a\r\nb\rc\nd"\r\n2,x\n');
      expect(
        scanned.map((item) => (item.kind === 'record' ? [item.line, item.lineCount, item.fields] : item)),
      ).to.deep.equal([
        [1, 1, ['id', 'note']],
        [2, 4, ['1', 'a\r\nb\rc\nd']],
        [6, 1, ['2', 'x']],
      ]);
    });

    it('keeps a quote inside an unquoted field as text, and unescapes "" in quoted fields', () => {
      expect(fieldsOf(scan('C1,=HYPERLINK("http://x"),a"b""c\nC2,"say ""hi""",""\n'))).to.deep.equal([
        ['C1', '=HYPERLINK("http://x")', 'a"b""c'],
        ['C2', 'say "hi"', ''],
      ]);
    });

    it('drops a UTF-8 BOM at the start only, even when it arrives a byte at a time', () => {
      const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('user_id\n\uFEFFu1\n')]);
      expect(fieldsOf(scan(bytes, { cuts: [1, 2, 3, 4] }))).to.deep.equal([['user_id'], ['\uFEFFu1']]);
    });

    it('waits for the byte after a CR before ending a line (a CRLF cut between chunks is one break)', () => {
      const scanned = scan('a\r\nb\r\n', { cuts: [2, 5] });
      expect(scanned.map((item) => [item.line, item.start, item.end])).to.deep.equal([
        [1, 0, 3],
        [2, 3, 6],
      ]);
    });
  });

  describe('failures are rejected as their first line; reading resumes on the next line', () => {
    it('text after a closing quote (K2,"b"x) hides nothing after it', () => {
      const scanned = scan('K1,a\nK2,"b"x\nK3,c\n');
      expect(scanned[1]).to.include({
        kind: 'failure',
        why: 'text-after-closing-quote',
        line: 2,
        head: 'K2,"b"x',
      });
      expect(fieldsOf(scanned)).to.deep.equal([
        ['K1', 'a'],
        ['K3', 'c'],
      ]);
    });

    it('a quote still open at the end of the file fails its first line only', () => {
      const scanned = scan('u1,"free\nu3,pro\n');
      expect(scanned[0]).to.include({
        why: 'unterminated-quote',
        line: 1,
        start: 0,
        end: 9,
        head: 'u1,"free',
      });
      expect(scanned[1]).to.include({ kind: 'record', line: 2 });
    });

    it('a runaway quote that closes lines later before text fails its first line; the lines between are read', () => {
      const scanned = scan('u2,"free\nu3,pro\nu4,"x"\n');
      expect(
        scanned.map((item) => (item.kind === 'record' ? item.fields : [item.why, item.line])),
      ).to.deep.equal([
        ['text-after-closing-quote', 1],
        ['u3', 'pro'],
        ['u4', 'x'],
      ]);
    });

    it('a record spanning lines with the wrong field count fails its first line (the header width known)', () => {
      const scanned = scan('u1,"a\nu2,b",c\nu3,d\n', { expectFields: 2 });
      expect(
        scanned.map((item) => (item.kind === 'record' ? item.fields : [item.why, item.line])),
      ).to.deep.equal([
        ['wrong-width', 1],
        ['u2', 'b"', 'c'],
        ['u3', 'd'],
      ]);
    });

    it('a runaway quote that happens to form a record of the right width is a record (no grammar can tell)', () => {
      // Documented in the job's README: a quoted field may span lines, so this is a valid record.
      expect(fieldsOf(scan('u1,"a\nu2,b"\nu3,c\n', { expectFields: 2 }))).to.deep.equal([
        ['u1', 'a\nu2,b'],
        ['u3', 'c'],
      ]);
    });

    it('a record past the size limit fails; held bytes stay bounded while a 10 MB line streams through', () => {
      const line = Buffer.alloc(10 * 1024 * 1024, 'x'.charCodeAt(0));
      const failures: { line: number; byteLength: number; end: number }[] = [];
      const records: string[] = [];
      const scanner = new CsvScanner(
        { record: (r) => records.push(r.fieldText(0)), failure: (f) => failures.push(f) },
        { maxRecordBytes: 256 * 1024 },
      );
      let held = 0;
      scanner.push(Buffer.from('a\n'));
      for (let at = 0; at < line.length; at += 64 * 1024) {
        scanner.push(line.subarray(at, at + 64 * 1024));
        held = Math.max(held, scanner.heldBytes);
      }
      scanner.push(Buffer.from('\r\nb\n'));
      scanner.end();
      expect(held).to.be.at.most(256 * 1024 + 2 + 64 * 1024);
      expect(failures).to.have.length(1);
      expect(failures[0]).to.include({ line: 2, byteLength: line.length, end: 2 + line.length + 2 });
      expect(records).to.deep.equal(['a', 'b']);
    });

    it('an unterminated quote in a large file gives up at the size limit and resumes on the next line', () => {
      const rows = Array.from({ length: 2000 }, (_, i) => `u${i},value ${i}`);
      rows[10] = 'u10,"never closed';
      const scanned = scan(`${rows.join('\n')}\n`, { maxRecordBytes: 4096, cuts: [100, 5000, 9000] });
      expect(
        scanned.filter((item) => item.kind === 'failure').map((item) => [item.line, item.kind]),
      ).to.deep.equal([[11, 'failure']]);
      expect(fieldsOf(scanned)).to.have.length(1999);
    });
  });
});
