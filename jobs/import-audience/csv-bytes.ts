import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CsvFileError } from './row-rules.ts';

/** Bytes looked at to tell what an object holds. */
const SNIFF_BYTES = 8;

/** How the object says it is compressed, apart from its bytes. */
export interface DeclaredEncoding {
  /** Called when the bytes turn out to be gzip. */
  readonly onGzip?: () => void;
  /** The object's key or file name (a `.gz` suffix declares gzip). */
  readonly name: string;
  /** The object's `Content-Encoding` (`gzip` declares gzip). */
  readonly contentEncoding?: string | undefined;
}

/** Leading bytes that name a format the import cannot read as CSV text. */
const REFUSED_FORMATS: { magic: number[]; what: string }[] = [
  { magic: [0xff, 0xfe, 0x00, 0x00], what: 'UTF-32 LE text (byte order mark FF FE 00 00)' },
  { magic: [0x00, 0x00, 0xfe, 0xff], what: 'UTF-32 BE text (byte order mark 00 00 FE FF)' },
  { magic: [0xff, 0xfe], what: 'UTF-16 LE text (byte order mark FF FE)' },
  { magic: [0xfe, 0xff], what: 'UTF-16 BE text (byte order mark FE FF)' },
  { magic: [0x1f, 0x8b], what: 'gzip data inside gzip data (compressed twice)' },
  { magic: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (an .xlsx workbook or a .zip file)' },
  { magic: [0xd0, 0xcf, 0x11, 0xe0], what: 'an OLE2 compound file (an .xls workbook)' },
  { magic: [0x42, 0x5a, 0x68], what: 'bzip2 data' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'xz data' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd data' },
  { magic: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: '7z data' },
  { magic: [0x50, 0x41, 0x52, 0x31], what: 'a Parquet file' },
  { magic: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
  { magic: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
];

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * The CSV text bytes of an object: gzip (by its magic bytes, its `Content-Encoding` or a `.gz` suffix) is streamed
 * through zlib; UTF-16/UTF-32 (by byte order mark) and known binary formats are refused with a CsvFileError naming
 * what was found. Back-pressure holds: bytes are pulled from `body` as the consumer reads.
 */
export async function* csvBytes(
  body: AsyncIterable<Uint8Array>,
  declared: DeclaredEncoding,
): AsyncGenerator<Buffer> {
  const { head, rest } = await peek(body[Symbol.asyncIterator]());
  const declaredBy = declaredGzip(declared);
  if (startsWith(head, GZIP_MAGIC)) {
    declared.onGzip?.();
    yield* refuseNonText(gunzip(prepend(head, rest)), 'inside the gzip data');
    return;
  }
  if (declaredBy) {
    throw new CsvFileError(
      `${declaredBy} declares gzip, but the object does not start with gzip's magic bytes 1F 8B (found ${hex(head)})`,
    );
  }
  yield* refuseNonText(prepend(head, rest), 'at the start of the object');
}

function declaredGzip({ name, contentEncoding }: DeclaredEncoding): string | undefined {
  if (contentEncoding?.split(',').some((coding) => coding.trim().toLowerCase() === 'gzip')) {
    return 'Content-Encoding: gzip';
  }
  return name.toLowerCase().endsWith('.gz') ? `the '.gz' suffix of ${name}` : undefined;
}

async function* refuseNonText(bytes: AsyncIterable<Buffer>, where: string): AsyncGenerator<Buffer> {
  const { head, rest } = await peek(bytes[Symbol.asyncIterator]());
  const refused = REFUSED_FORMATS.find((format) => startsWith(head, format.magic));
  if (refused) {
    throw new CsvFileError(
      `found ${refused.what} ${where}; the import reads CSV text in UTF-8 (or gzip of it)`,
    );
  }
  yield* prepend(head, rest);
}

/** Streams gzip data (one or more members) through zlib; corrupt or truncated data is a CsvFileError. */
async function* gunzip(compressed: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const inflater = createGunzip();
  const source = Readable.from(compressed, { objectMode: false });
  let sourceFailed = false;
  source.on('error', () => {
    sourceFailed = true;
  });
  const output = pipeline(source, inflater, () => undefined);
  try {
    for await (const chunk of output) yield chunk as Buffer;
  } catch (error) {
    // A failure to read the object stays what it is (retryable); bad gzip data is the file's fault.
    if (!sourceFailed && isZlibError(error)) {
      throw new CsvFileError(`gzip data is corrupt or truncated (${(error as Error).message})`);
    }
    throw error;
  } finally {
    source.destroy();
  }
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/** Reads at least SNIFF_BYTES (or all there is) from the front of a byte stream. */
async function peek(
  iterator: AsyncIterator<Uint8Array>,
): Promise<{ head: Buffer; rest: AsyncIterator<Uint8Array> }> {
  const parts: Buffer[] = [];
  let length = 0;
  while (length < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    parts.push(chunk);
    length += chunk.length;
  }
  return { head: Buffer.concat(parts), rest: iterator };
}

async function* prepend(head: Buffer, rest: AsyncIterator<Uint8Array> | AsyncIterable<Uint8Array>) {
  if (head.length > 0) yield head;
  const iterator = Symbol.asyncIterator in rest ? rest[Symbol.asyncIterator]() : rest;
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
    yield Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
  }
}

function startsWith(bytes: Buffer, magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);
}

function hex(bytes: Buffer): string {
  return bytes.length === 0
    ? 'an empty object'
    : Array.from(bytes.subarray(0, 4), (byte) => byte.toString(16).toUpperCase().padStart(2, '0')).join(' ');
}
