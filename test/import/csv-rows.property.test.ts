import fc from 'fast-check';
import { type FilePlan, filePlan, writeCsvFile } from '../support/csv-model.ts';
import { expectModelRows, readInPieces } from '../support/model-check.ts';
import { propertyRuns } from '../support/property.ts';

/** Shrunk failures found by the properties, kept as fixed tests (name: what it found). */
const FIXED_PLANS: { name: string; plan: FilePlan }[] = [
  {
    name: 'an unterminated quote followed by a row with an empty user id (a model bug: the guard quoted the id)',
    plan: {
      bom: false,
      userIdName: 'user_id',
      userIdIndex: 0,
      attributeNames: ['b', 'c-a'],
      headerEnding: '\n',
      rows: [
        {
          id: '',
          values: ['', ''],
          quoteBits: 0,
          bareQuotes: false,
          ending: '\n',
          corruption: { kind: 'unterminated-quote', field: 0 },
        },
        {
          id: '',
          values: ['', ''],
          quoteBits: 998107195,
          bareQuotes: false,
          ending: '\n',
          corruption: { kind: 'empty-id' },
        },
      ],
      finalLineBreak: false,
    },
  },
];

describe('import rows: generated files against the model', function () {
  this.timeout(120_000);

  for (const { name, plan } of FIXED_PLANS) {
    it(`fixed: ${name}`, async () => {
      const file = writeCsvFile(plan);
      expectModelRows(await readInPieces(file.bytes, []), file.expected);
    });
  }

  it('accounts for every record of 1,000 generated files, however they arrive in chunks', async () => {
    // GIVEN files written from a model (ids with multibyte and emoji, quoted commas, quotes and line breaks, every
    // line ending mixed, BOM or not, header case and spacing), a random subset of rows corrupted in known ways
    await fc.assert(
      fc.asyncProperty(filePlan(), fc.array(fc.nat(), { maxLength: 6 }), async (plan, cuts) => {
        const file = writeCsvFile(plan);
        // WHEN the import's reader reads one, cut into random chunks
        const items = await readInPieces(file.bytes, cuts);
        // THEN every record is one row or one rejection: valid rows exactly once with byte-identical values,
        // every corrupted row rejected with its line and column, rowsRead = the model's row count
        expectModelRows(items, file.expected);
      }),
      propertyRuns(1000),
    );
  });
});
