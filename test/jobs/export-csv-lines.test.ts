import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { csvField, csvLine, exportCells } from '../../jobs/export-audience/csv-cells.ts';

/** Cells a CSV writer must get right: quotes, commas, every line break, white space at the ends, multibyte. */
const cell = fc.string({
  unit: fc.constantFrom(
    'a',
    'Z',
    '0',
    ' ',
    '\t',
    ',',
    '"',
    '\r',
    '\n',
    "'",
    '=',
    '-',
    'é',
    '日',
    '😀',
    '\u00a0',
  ),
  maxLength: 12,
});

describe('export-audience: CSV lines', () => {
  it('reads back (csv-parse, RFC 4180) to exactly the cells written, whatever they hold', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(cell, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 8 }),
        (rows) => {
          const width = rows[0]!.length;
          const table = rows.map((row) => Array.from({ length: width }, (_, i) => row[i] ?? ''));
          const text = table.map(csvLine).join('');
          expect(parse(text, { relax_column_count: false })).to.deep.equal(table);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('writes what csv-stringify wrote before for cells it quoted right (the same bytes)', () => {
    const rows = [
      ['u1', 'plain', 'a, quoted "note"'],
      ['u2', 'two\nlines', ' leading'],
      ['u3', 'trailing ', ''],
      ['日本😀', 'Zoë', '\ttab'],
    ];
    expect(rows.map(csvLine).join('')).to.equal(stringify(rows, { quoted_match: /^\s|\s$/ }));
  });

  it('quotes a CR inside a value, which csv-stringify left bare (a reader would take it for a line end)', () => {
    expect(csvField('a\rb')).to.equal('"a\rb"');
    expect(parse(csvLine(['u1', 'a\rb']))).to.deep.equal([['u1', 'a\rb']]);
  });

  it('writes a row in header order, an absent attribute as an empty cell, formula cells neutralised but never the id', () => {
    const cells = exportCells('attributes');
    expect(cells.rowLine('=id', { plan: '=1+1', note: 'x, y' }, ['note', 'plan', 'missing'])).to.equal(
      `=id,"x, y",'=1+1,\n`,
    );
    expect(exportCells('none').rowLine('u', { plan: '=1+1' }, ['plan'])).to.equal('u,=1+1\n');
  });
});
