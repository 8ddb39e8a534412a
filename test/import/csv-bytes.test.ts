import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { csvBytes } from '../../jobs/import-audience/csv-bytes.ts';
import { CsvFileError } from '../../jobs/import-audience/row-rules.ts';

/** Reads what csvBytes makes of `data` (sent in small chunks) as text. */
async function read(data: Buffer, name = 'users.csv', contentEncoding?: string): Promise<string> {
  const chunks: Buffer[] = [];
  const body = Readable.from(
    Array.from({ length: Math.ceil(data.length / 3) }, (_, i) => data.subarray(i * 3, i * 3 + 3)),
  );
  for await (const chunk of csvBytes(body, { name, contentEncoding })) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function refusal(data: Buffer, name = 'users.csv', contentEncoding?: string): Promise<string> {
  try {
    await read(data, name, contentEncoding);
  } catch (error) {
    expect(error).to.be.instanceOf(CsvFileError);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

const CSV = 'user_id,name\nu1,Zoë\n';

describe('CSV bytes of an object (compression and encoding)', () => {
  it('passes plain UTF-8 through, BOM and all (the scanner drops the BOM)', async () => {
    expect(await read(Buffer.from(`\uFEFF${CSV}`))).to.equal(`\uFEFF${CSV}`);
  });

  it('gunzips gzip found by its magic bytes, whatever the name, and multi-member gzip', async () => {
    expect(await read(gzipSync(CSV), 'users.csv')).to.equal(CSV);
    const twoMembers = Buffer.concat([gzipSync('user_id\n'), gzipSync('u1\n')]);
    expect(await read(twoMembers, 'users.csv.gz', 'gzip')).to.equal('user_id\nu1\n');
  });

  it('refuses a .gz name or Content-Encoding: gzip over bytes that are not gzip, naming them', async () => {
    expect(await refusal(Buffer.from(CSV), 'users.csv.gz')).to.match(
      /'.gz' suffix .* not start with gzip's magic bytes 1F 8B \(found 75 73 65 72\)/,
    );
    expect(await refusal(Buffer.from(CSV), 'users.csv', 'gzip')).to.match(
      /Content-Encoding: gzip declares gzip/,
    );
  });

  it('refuses corrupt or truncated gzip as a file error', async () => {
    const gz = gzipSync(CSV.repeat(100));
    expect(await refusal(gz.subarray(0, gz.length - 20))).to.match(/gzip data is corrupt or truncated/);
  });

  it('refuses UTF-16 and UTF-32 (by byte order mark) and binary formats, naming what was found', async () => {
    expect(await refusal(Buffer.from(`\uFEFF${CSV}`, 'utf16le'))).to.match(
      /found UTF-16 LE text \(byte order mark FF FE\)/,
    );
    const utf32 = Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x75, 0x00, 0x00, 0x00]);
    expect(await refusal(utf32)).to.match(/UTF-32 LE/);
    expect(await refusal(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4]))).to.match(
      /ZIP archive \(an .xlsx workbook/,
    );
    expect(await refusal(gzipSync(Buffer.from(`\uFEFF${CSV}`, 'utf16le')))).to.match(
      /UTF-16 LE text .* inside the gzip data/,
    );
  });
});
