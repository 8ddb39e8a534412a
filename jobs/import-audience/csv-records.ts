import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';
import { type CsvError, type Options, type Parser, parse } from 'csv-parse';
import { z } from 'zod';

/** Longest accepted row in bytes: longer rows are rejected (a Kafka record must stay well under 1 MB). */
export const MAX_ROW_BYTES = 256 * 1024;
/** Longest physical line the parser is allowed to buffer; beyond it the file is refused (memory bound). */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
/** Raw text kept per rejected row in the rejects file. */
export const MAX_RAW_CHARS = 1024;

/** A record the parser could not form (bad quoting, unterminated quote); it becomes a rejected row. */
export class UnparsableRecord {
  constructor(
    /** First line of the record. */
    readonly line: number,
    readonly reason: string,
    readonly raw: string,
  ) {}
}

/**
 * A record the parser formed. Fields and raw text are latin1 strings, i.e. one char per byte, so invalid
 * UTF-8 can be found per field (csv-parse cannot yield Buffers: its errors break with `encoding: null`).
 */
export interface ParsedRecord {
  readonly fields: string[];
  /** First line of the record. */
  readonly line: number;
  /** The record's bytes as read, as latin1. */
  readonly raw: string;
}

/** What the record stream yields, in file order. */
export type CsvItem = ParsedRecord | UnparsableRecord;

/** Thrown for a problem with the whole file (not one row); the import turns it into InvalidInput. */
export class CsvFileError extends Error {}

/**
 * Counts bytes and refuses physical lines longer than MAX_LINE_BYTES before csv-parse buffers them,
 * so memory stays bounded whatever the file holds.
 */
export class ByteCounter extends Transform {
  /** Bytes passed so far. */
  bytes = 0;
  private lineBytes = 0;
  private line = 1;
  private atStart = true;

  override _transform(input: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += input.length;
    let chunk = input;
    // The UTF-8 byte order mark is dropped here: csv-parse's own BOM handling would switch it to UTF-8 decoding.
    if (this.atStart && chunk.length > 0) {
      this.atStart = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      this.lineBytes = 0;
      this.line++;
      start = nl + 1;
    }
    this.lineBytes += chunk.length - start;
    if (this.lineBytes > MAX_LINE_BYTES) {
      callback(
        new CsvFileError(
          `line ${this.line} is longer than ${MAX_LINE_BYTES} bytes; the file cannot be parsed`,
        ),
      );
      return;
    }
    callback(null, chunk);
  }
}

/**
 * An RFC 4180 record stream (csv-parse: quotes, embedded newlines, CRLF/CR/LF, BOM) that yields raw field
 * bytes so invalid UTF-8 can be found per field; malformed records come through as UnparsableRecord, in order.
 */
export function csvRecordStream(): Parser {
  let nextLine = 1;
  // csv-parse reports a bad record once per offending character; only the first report per record counts.
  let reportedForRecord = false;
  const options = {
    encoding: 'latin1',
    bom: false,
    raw: true,
    relax_column_count: true,
    skip_empty_lines: false,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined, raw?: string) => {
      if (reportedForRecord || error === undefined) return;
      reportedForRecord = true;
      const line = nextLine;
      nextLine += countLines(raw ?? '');
      push(new UnparsableRecord(line, describeParseError(error), rawText(raw ?? '')));
    },
  };
  const parser: Parser = parse(options as unknown as Options);
  // Records are wrapped with their line as csv-parse pushes them: cheaper than its on_record/info options.
  const push = parser.push.bind(parser);
  parser.push = (chunk: unknown) => {
    if (chunk === null || chunk instanceof UnparsableRecord) return push(chunk);
    const { record, raw } = chunk as { record: string[]; raw: string };
    const line = nextLine;
    nextLine += countLines(raw);
    return push({ fields: record, line, raw } satisfies ParsedRecord);
  };
  const api = (parser as unknown as { api: { __resetRecord: () => void } }).api;
  const resetRecord = api.__resetRecord;
  api.__resetRecord = function (this: unknown) {
    reportedForRecord = false;
    resetRecord.call(this);
  };
  return parser;
}

/** The start of a record's raw bytes as text, for the rejects file. */
export function rawText(raw: string): string {
  const text = Buffer.from(raw.slice(0, MAX_RAW_CHARS * 4), 'latin1').toString('utf8');
  return text.length > MAX_RAW_CHARS ? `${text.slice(0, MAX_RAW_CHARS)}…` : text.replace(/(\r\n|\r|\n)$/, '');
}

/** Lines a record spans: its inner line breaks plus one (raw text may or may not end with its delimiter). */
function countLines(raw: string): number {
  const firstBreak = raw.indexOf('\n');
  // Fast path: one LF- or CRLF-terminated line (almost every record).
  if ((firstBreak === -1 || firstBreak >= raw.length - 1) && raw.indexOf('\r') >= raw.length - 2) return 1;
  const end = raw.endsWith('\r\n')
    ? raw.length - 2
    : raw.endsWith('\n') || raw.endsWith('\r')
      ? raw.length - 1
      : raw.length;
  let lines = 1;
  for (let i = raw.indexOf('\n'); i !== -1 && i < end; i = raw.indexOf('\n', i + 1)) lines++;
  // Lone CRs (old Mac line ends) count as line breaks too.
  for (let i = raw.indexOf('\r'); i !== -1 && i < end; i = raw.indexOf('\r', i + 1)) {
    if (raw.charCodeAt(i + 1) !== 10) lines++;
  }
  return lines;
}

function describeParseError(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'unterminated quoted field (quote opened but never closed before end of file)';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'characters after a closing quote (a quoted field must end at a comma or line end)';
    case 'INVALID_OPENING_QUOTE':
      return 'quote inside an unquoted field (quote the whole field and double inner quotes)';
    default:
      return `${error.code}: ${error.message}`;
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A valid user id: non-empty, at most 256 bytes of UTF-8, no control characters. */
export const UserId = z
  .string()
  .min(1, 'user_id is empty')
  .refine((id) => Buffer.byteLength(id, 'utf8') <= 256, 'user_id is longer than 256 bytes')
  .refine((id) => !CONTROL.test(id), 'user_id contains a control character');

/** A subset of valid user ids that needs no zod call: printable ASCII, 1-256 characters. */
const PLAIN_USER_ID = /^[\x20-\x7e]{1,256}$/;

/** A valid row of the file: a user id and string attributes. */
export const UserRow = z.object({ userId: UserId, attributes: z.record(z.string(), z.string()) });
export type UserRow = z.infer<typeof UserRow>;

/** A rejected row: where, which column, why, and its raw text. */
export interface RowRejection {
  readonly line: number;
  readonly column: string;
  readonly reason: string;
  readonly raw: string;
}

/** The validated header: its column names and where user_id is. */
export interface CsvHeader {
  readonly columns: string[];
  readonly userIdIndex: number;
}

/** Validates the header row: decodable, no empty or duplicate names, a user_id column. Throws CsvFileError. */
export function parseHeader(record: ParsedRecord): CsvHeader {
  const columns = record.fields.map((field, i) => {
    const name = decodeField(field);
    if (name === undefined) throw new CsvFileError(`header column ${i + 1} is not valid UTF-8`);
    return name.trim();
  });
  const seen = new Map<string, number>();
  columns.forEach((name, i) => {
    if (name === '') throw new CsvFileError(`header column ${i + 1} has no name`);
    const first = seen.get(name);
    if (first !== undefined) {
      throw new CsvFileError(`header column '${name}' appears twice (columns ${first + 1} and ${i + 1})`);
    }
    seen.set(name, i);
  });
  const userIdIndex = columns.indexOf('user_id');
  if (userIdIndex === -1) {
    throw new CsvFileError(`header has no user_id column (columns: ${columns.join(', ')})`);
  }
  return { columns, userIdIndex };
}

/** Validates one data record against the header: the user row, or why it is rejected. */
export function validateRecord(header: CsvHeader, record: ParsedRecord): UserRow | RowRejection {
  const reject = (column: string, reason: string) => rejection(record, column, reason);
  const { fields } = record;
  if (fields.length === 1 && fields[0] === '' && header.columns.length > 1) {
    return reject('', 'empty line');
  }
  if (fields.length !== header.columns.length) {
    const few = fields.length < header.columns.length;
    return reject(
      '',
      `too ${few ? 'few' : 'many'} columns: expected ${header.columns.length}, got ${fields.length}`,
    );
  }
  let bytes = 0;
  for (let i = 0; i < fields.length; i++) bytes += fields[i]!.length;
  if (bytes > MAX_ROW_BYTES) return reject('', `row is longer than ${MAX_ROW_BYTES} bytes (${bytes} bytes)`);
  const values: string[] = new Array(fields.length);
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field.includes('\0')) return reject(header.columns[i]!, 'NUL byte in value');
    const value = decodeField(field);
    if (value === undefined) return reject(header.columns[i]!, 'value is not valid UTF-8');
    values[i] = value;
  }
  const attributes: Record<string, string> = {};
  for (let i = 0; i < values.length; i++) {
    if (i !== header.userIdIndex) attributes[header.columns[i]!] = values[i]!;
  }
  const userId = values[header.userIdIndex]!;
  // Plain printable-ASCII ids of 1-256 chars satisfy UserId by construction; anything else goes through zod.
  if (PLAIN_USER_ID.test(userId)) return { userId, attributes };
  const parsed = UserRow.safeParse({ userId, attributes });
  if (!parsed.success) return reject('user_id', parsed.error.issues.map((issue) => issue.message).join('; '));
  return parsed.data;
}

function rejection(record: ParsedRecord, column: string, reason: string): RowRejection {
  return { line: record.line, column, reason, raw: rawText(record.raw) };
}

/** Decodes a latin1-carried field as UTF-8, or undefined when its bytes are not valid UTF-8. */
function decodeField(field: string): string | undefined {
  // Pure ASCII (the common case) reads the same in latin1 and UTF-8.
  if (Buffer.byteLength(field, 'utf8') === field.length) return field;
  const bytes = Buffer.from(field, 'latin1');
  return isUtf8(bytes) ? bytes.toString('utf8') : undefined;
}

/** True when the validation produced a rejection. */
export function isRejection(row: UserRow | RowRejection): row is RowRejection {
  return 'reason' in row;
}
