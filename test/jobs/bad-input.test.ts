import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { run } from '../../jobs/import-audience/run.ts';
import { closeJobDeps, type JobDeps } from '../../jobs/runtime/clients.ts';
import { JobError } from '../../jobs/runtime/job-error.ts';
import { createBucket, getObjectText, localJobDeps, putObject, readTopic, uniqueId } from './support.ts';

interface Rejected {
  line: number;
  column: string;
  reason: RegExp;
}

interface Case {
  name: string;
  file: string | Buffer | undefined;
  /** Key suffix. @default '.csv' */
  key?: string;
  maxRejectedRows?: number;
  produced?: number;
  rejected?: Rejected[];
  attributes?: Record<string, string>[];
  error?: { name: string; message: RegExp };
}

const TEN_MB = 10 * 1024 * 1024;

const cases: Case[] = [
  {
    name: 'a UTF-8 BOM before the header',
    file: '\uFEFFuser_id,plan\nu1,pro\n',
    produced: 1,
    attributes: [{ plan: 'pro' }],
  },
  {
    name: 'CRLF line ends',
    file: 'user_id,plan\r\nu1,pro\r\nu2,free\r\n',
    produced: 2,
    attributes: [{ plan: 'pro' }, { plan: 'free' }],
  },
  {
    name: 'lone CR line ends',
    file: 'user_id,plan\ru1,pro\ru2,free',
    produced: 2,
    attributes: [{ plan: 'pro' }, { plan: 'free' }],
  },
  {
    name: 'quoted newlines (and the line numbers after them)',
    file: 'user_id,note\nu1,"first\nsecond"\n,no id\nu3,"a ""quoted"" word"\n',
    produced: 2,
    rejected: [{ line: 4, column: 'user_id', reason: /user_id is empty/ }],
    attributes: [{ note: 'first\nsecond' }, { note: 'a "quoted" word' }],
  },
  {
    name: 'an unterminated quote (only its line is rejected; reading resumes on the next line)',
    file: 'user_id,plan\nu1,pro\nu2,"free\nu3,pro\n',
    produced: 2,
    rejected: [{ line: 3, column: 'plan', reason: /unterminated quoted field/ }],
  },
  {
    name: 'too few columns',
    file: 'user_id,plan,country\nu1,pro,jp\nu2,free\n',
    produced: 1,
    rejected: [{ line: 3, column: '', reason: /too few columns: expected 3, got 2/ }],
  },
  {
    name: 'too many columns',
    file: 'user_id,plan\nu1,pro,extra\nu2,free\n',
    produced: 1,
    rejected: [{ line: 2, column: '', reason: /too many columns: expected 2, got 3/ }],
  },
  {
    name: 'an empty file',
    file: '',
    error: { name: 'InvalidInput', message: /file is empty; a header row with a user_id column is required/ },
  },
  { name: 'a header-only file', file: 'user_id,plan\n', produced: 0 },
  {
    name: 'a duplicate header',
    file: 'user_id,plan,plan\nu1,a,b\n',
    error: { name: 'InvalidInput', message: /header column 'plan' appears twice \(columns 2 and 3\)/ },
  },
  {
    name: 'invalid UTF-8',
    file: Buffer.concat([
      Buffer.from('user_id,name\nu1,'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('\nu2,Zoë\n'),
    ]),
    produced: 1,
    rejected: [{ line: 2, column: 'name', reason: /not valid UTF-8/ }],
    attributes: [{ name: 'Zoë' }],
  },
  {
    name: 'a NUL byte',
    file: 'user_id,name\nu1,a\u0000b\nu2,ok\n',
    produced: 1,
    rejected: [{ line: 2, column: 'name', reason: /NUL byte/ }],
  },
  {
    name: 'a 10 MB line',
    file: `user_id,blob\nu1,${'x'.repeat(TEN_MB)}\nu2,small\n`,
    produced: 1,
    rejected: [{ line: 2, column: '', reason: /row is longer than 262144 bytes \(10485763 bytes\)/ }],
  },
  {
    name: 'a row that JSON-encodes past the Kafka record limit',
    file: `user_id,blob\nu1,${'\u0001'.repeat(200_000)}\nu2,small\n`,
    produced: 1,
    rejected: [{ line: 2, column: '', reason: /row encodes to a \d+-byte Kafka record, more than 921600/ }],
  },
  { name: 'a missing object', file: undefined, error: { name: 'SourceNotFound', message: /does not exist/ } },
  {
    name: 'a missing user_id column',
    file: 'id,plan\nu1,pro\n',
    error: { name: 'InvalidInput', message: /header has no user_id column \(columns: id, plan\)/ },
  },
  {
    name: 'more rejected rows than maxRejectedRows',
    file: 'user_id,plan\nu1,pro\n,x\n,y\nu4,ok\n,z\n,w\n',
    maxRejectedRows: 2,
    rejected: [
      { line: 3, column: 'user_id', reason: /user_id is empty/ },
      { line: 4, column: 'user_id', reason: /user_id is empty/ },
      { line: 6, column: 'user_id', reason: /user_id is empty/ },
    ],
    error: {
      name: 'TooManyRejectedRows',
      message:
        /3 rows rejected after 5 rows read, more than maxRejectedRows=2; see s3:\/\/.*\/rejects\/.*\.csv; first reasons: line 3 \(user_id\): user_id is empty/,
    },
  },
  {
    name: 'a stray quote in a 100-row LF file (K2,"b"x): the 99 other rows are produced',
    file: `user_id,name\n${Array.from({ length: 100 }, (_, i) => (i === 1 ? 'K2,"b"x' : `K${i + 1},n${i}`)).join('\n')}\n`,
    produced: 99,
    rejected: [{ line: 3, column: 'name', reason: /text after a closing quote/ }],
  },
  {
    name: 'a CRLF header followed by LF rows, user_id last (no CR stays in a value)',
    file: 'name,user_id\r\nAda,u1\nBob,u2\n',
    produced: 2,
    attributes: [{ name: 'Ada' }, { name: 'Bob' }],
  },
  {
    name: 'an LF header followed by CRLF rows, user_id last',
    file: 'name,user_id\nAda,u1\r\nBob,u2\r\n',
    produced: 2,
    attributes: [{ name: 'Ada' }, { name: 'Bob' }],
  },
  {
    name: 'an unterminated quote in the middle of a file (the rows after it are read)',
    file: 'user_id,plan\nu1,"pro\nu2,free\nu3,"team"\nu4,pro\n',
    produced: 3,
    rejected: [{ line: 2, column: 'plan', reason: /unterminated quoted field/ }],
  },
  {
    name: 'a header " USER_ID , name " (trimmed, any case, user id column anywhere)',
    file: ' name , USER_ID \nAda,u1\n',
    produced: 1,
    attributes: [{ name: 'Ada' }],
  },
  {
    name: 'header names that differ only in case',
    file: 'user_id,Plan,plan\nu1,a,b\n',
    error: { name: 'InvalidInput', message: /header column 'plan' appears twice \(columns 2 and 3\)/ },
  },
  {
    name: 'a quote inside an unquoted field (C1,=HYPERLINK("http://x"))',
    file: 'user_id,link\nC1,=HYPERLINK("http://x")\n',
    produced: 1,
    attributes: [{ link: '=HYPERLINK("http://x")' }],
  },
  {
    name: 'a gzip-compressed object under a .csv.gz key',
    key: '.csv.gz',
    file: gzipSync('user_id,plan\nu1,pro\nu2,free\n'),
    produced: 2,
    attributes: [{ plan: 'pro' }, { plan: 'free' }],
  },
  {
    name: 'the same user id twice (one user per import)',
    file: 'user_id,plan\nu1,pro\nu2,free\nu1,team\n',
    produced: 2,
    rejected: [{ line: 4, column: 'user_id', reason: /^duplicate of line 2$/ }],
    attributes: [{ plan: 'pro' }, { plan: 'free' }],
  },
  {
    name: 'a UTF-16 file',
    file: Buffer.from('\uFEFFuser_id\nu1\n', 'utf16le'),
    error: { name: 'InvalidInput', message: /found UTF-16 LE text \(byte order mark FF FE\)/ },
  },
  {
    name: 'a spreadsheet workbook (binary data)',
    file: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]),
    error: { name: 'InvalidInput', message: /found a ZIP archive \(an .xlsx workbook/ },
  },
];

describe('import-audience with bad input', function () {
  this.timeout(120_000);
  let deps: JobDeps;
  let bucket: string;
  const produced = new Map<string, number>();
  const attributes = new Map<string, Record<string, string>[]>();
  const segment = uniqueId('segment');

  before(async () => {
    deps = await localJobDeps({ importChunkRows: 2 });
    bucket = await createBucket(deps.s3);
  });
  after(() => closeJobDeps(deps));

  for (const c of cases) {
    it(`handles ${c.name}`, async () => {
      const importId = uniqueId('bad');
      const key = `imports/${importId}${c.key ?? '.csv'}`;
      if (c.file !== undefined) await putObject(deps.s3, bucket, key, c.file);
      const input = {
        importId,
        userSegmentationId: segment,
        s3Bucket: bucket,
        s3Key: key,
        maxRejectedRows: c.maxRejectedRows ?? 1000,
      };
      let outcome: Awaited<ReturnType<typeof run>> | undefined;
      try {
        outcome = await run(input, deps);
        expect(c.error, 'expected the import to fail').to.equal(undefined);
      } catch (error) {
        if (!c.error) throw error;
        expect(error).to.be.instanceOf(JobError);
        expect((error as JobError).name).to.equal(c.error.name);
        expect((error as JobError).message).to.match(c.error.message);
        expect((error as JobError).retryable).to.equal(false);
      }
      const rejected = c.rejected ?? [];
      if (outcome) {
        expect(outcome.rowsRead).to.equal(outcome.rowsProduced + outcome.rowsRejected);
        expect(outcome.rowsProduced).to.equal(c.produced);
        expect(outcome.rowsRejected).to.equal(rejected.length);
        produced.set(importId, outcome.rowsProduced);
      }
      const rejects = await getObjectText(deps.s3, bucket, `rejects/${importId}.csv`);
      if (rejected.length === 0) {
        expect(rejects).to.equal(undefined);
      } else {
        const rows = parse(rejects!, { columns: true }) as {
          line: string;
          column: string;
          reason: string;
          raw: string;
        }[];
        expect(rows).to.have.length(rejected.length);
        rows.forEach((row, i) => {
          expect(Number(row.line)).to.equal(rejected[i]!.line);
          expect(row.column).to.equal(rejected[i]!.column);
          expect(row.reason).to.match(rejected[i]!.reason);
          expect(row.raw.length).to.be.at.most(1025);
        });
      }
      if (c.attributes) attributes.set(importId, c.attributes);
    });
  }

  it('lets a consumer see exactly the produced rows of every import, with the parsed values', async () => {
    const records = await readTopic(deps.kafka, deps.config.audienceTopic);
    for (const [importId, count] of produced) {
      expect(
        records.filter((r) => r.value.importId === importId),
        importId,
      ).to.have.length(count);
    }
    for (const [importId, expected] of attributes) {
      const mine = records.filter((r) => r.value.importId === importId);
      expect(
        mine.map((r) => r.value.attributes),
        importId,
      ).to.have.deep.members(expected);
    }
  });
});
