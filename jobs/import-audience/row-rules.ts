import { isUtf8 } from 'node:buffer';
import type { ScanFailure, ScannedRecord } from './csv-scanner.ts';

/** Longest accepted row in bytes, line break excluded (a Kafka record must stay well under 1 MB). */
export const MAX_ROW_BYTES = 256 * 1024;
/** Raw text kept per rejected row in the rejects file. */
export const MAX_RAW_CHARS = 1024;
/** Longest user id, in bytes of UTF-8. */
export const MAX_USER_ID_BYTES = 256;

/** Thrown for a problem with the whole file (not one row); the import turns it into InvalidInput. */
export class CsvFileError extends Error {}

/** A rejected row: where, which column (empty for the whole row), why, and its raw text. */
export interface RowRejection {
  readonly kind: 'rejected';
  readonly line: number;
  readonly column: string;
  readonly reason: string;
  readonly raw: string;
}

/** A valid row of the file: a user id and string attributes, with its first line and its size in the file. */
export interface ValidRow {
  readonly kind: 'row';
  readonly line: number;
  readonly userId: string;
  readonly attributes: Record<string, string>;
  /** The row's bytes in the file, line break excluded. */
  readonly rawBytes: number;
}

/** The validated header: column names (trimmed, as written) and where the user id is. */
export interface CsvHeader {
  readonly columns: string[];
  readonly userIdIndex: number;
}

/** The user id column's name, matched after trimming and case-insensitively. */
const USER_ID_COLUMN = 'user_id';

/**
 * Validates the header row: UTF-8 without NUL, no empty or duplicate names (after trimming, ignoring case), a
 * `user_id` column anywhere. Throws CsvFileError naming the columns.
 */
export function parseHeader(record: ScannedRecord): CsvHeader {
  const columns: string[] = [];
  for (let i = 0; i < record.fieldCount; i++) {
    const bytes = record.field(i);
    if (bytes.includes(0)) {
      throw new CsvFileError(
        `header column ${i + 1} holds a NUL byte (a UTF-16 file without a byte order mark, or binary data?)`,
      );
    }
    if (!isUtf8(bytes)) throw new CsvFileError(`header column ${i + 1} is not valid UTF-8`);
    columns.push(record.fieldText(i).trim());
  }
  const seen = new Map<string, number>();
  columns.forEach((name, i) => {
    if (name === '') throw new CsvFileError(`header column ${i + 1} has no name`);
    const key = name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      throw new CsvFileError(`header column '${name}' appears twice (columns ${first + 1} and ${i + 1})`);
    }
    seen.set(key, i);
  });
  const userIdIndex = seen.get(USER_ID_COLUMN);
  if (userIdIndex === undefined) {
    throw new CsvFileError(`header has no user_id column (columns: ${columns.join(', ')})`);
  }
  return { columns, userIdIndex };
}

/** Validates one data record against the header: the row, or why it is rejected. */
export function validateRecord(header: CsvHeader, record: ScannedRecord): ValidRow | RowRejection {
  const { columns, userIdIndex } = header;
  const count = record.fieldCount;
  if (count !== columns.length) {
    if (count === 1 && record.byteLength === 0) return rejectRecord(record, '', 'empty line');
    const few = count < columns.length;
    return rejectRecord(
      record,
      '',
      `too ${few ? 'few' : 'many'} columns: expected ${columns.length}, got ${count}`,
    );
  }
  const bytes = record.bytes();
  if (bytes.includes(0))
    return rejectField(header, record, 'NUL byte in value', (field) => field.includes(0));
  if (!record.isAscii() && !isUtf8(bytes)) {
    return rejectField(header, record, 'value is not valid UTF-8', (field) => !isUtf8(field));
  }
  const idProblem = userIdProblem(record.field(userIdIndex));
  if (idProblem) return rejectRecord(record, columns[userIdIndex]!, idProblem);
  const attributes: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    if (i !== userIdIndex) attributes[columns[i]!] = record.fieldText(i);
  }
  return {
    kind: 'row',
    line: record.line,
    userId: record.fieldText(userIdIndex),
    attributes,
    rawBytes: record.byteLength,
  };
}

/** Why a user id's (valid UTF-8, NUL-free) bytes are not a valid user id, or undefined. */
function userIdProblem(id: Buffer): string | undefined {
  if (id.length === 0) return 'user_id is empty';
  if (id.length > MAX_USER_ID_BYTES) return 'user_id is longer than 256 bytes';
  // Control characters are single bytes in UTF-8 (every byte of a multibyte character is 0x80 or more).
  for (let i = 0; i < id.length; i++) {
    const byte = id[i]!;
    if (byte < 0x20 || byte === 0x7f) return 'user_id contains a control character';
  }
  return undefined;
}

/** A rejection for the first column whose bytes fail `test`. */
function rejectField(
  header: CsvHeader,
  record: ScannedRecord,
  reason: string,
  test: (field: Buffer) => boolean,
): RowRejection {
  for (let i = 0; i < record.fieldCount; i++) {
    if (test(record.field(i))) return rejectRecord(record, header.columns[i] ?? '', reason);
  }
  // The test failed on the record's bytes, so it fails on one of its fields; this line is not reached.
  return rejectRecord(record, '', reason);
}

/** A rejection of a whole record (or of one column when `column` is set). */
export function rejectRecord(record: ScannedRecord, column: string, reason: string): RowRejection {
  return { kind: 'rejected', line: record.line, column, reason, raw: rawText(record.bytes()) };
}

/** The rejection of a record the scanner could not form: its first line, with what went wrong. */
export function rejectScanFailure(failure: ScanFailure, header: CsvHeader | undefined): RowRejection {
  const column =
    failure.kind === 'text-after-closing-quote' || failure.kind === 'unterminated-quote'
      ? (header?.columns[failure.fieldIndex] ?? '')
      : '';
  return {
    kind: 'rejected',
    line: failure.line,
    column,
    reason: describeScanFailure(failure, header),
    raw: rawText(failure.head),
  };
}

/** The reason a failed record is rejected, in the words of the job's README. */
export function describeScanFailure(failure: ScanFailure, header: CsvHeader | undefined): string {
  const firstLine = 'rejected as its first line, reading resumes on the next line';
  switch (failure.kind) {
    case 'text-after-closing-quote':
      return failure.lineCount > 1
        ? `unterminated quoted field (the quote opened on this line closes ${failure.lineCount - 1} lines on, before text); ${firstLine}`
        : 'text after a closing quote (a quoted field must end at a comma or line end)';
    case 'unterminated-quote':
      return failure.lineCount > 1
        ? `unterminated quoted field (still open at end of file, ${failure.lineCount} lines on); ${firstLine}`
        : 'unterminated quoted field (quote opened but never closed before end of file)';
    case 'too-long':
      return failure.lineCount > 1
        ? `row is longer than ${MAX_ROW_BYTES} bytes (a quoted field runs over ${failure.lineCount} lines and ${failure.byteLength}+ bytes: an unterminated quote?); ${firstLine}`
        : `row is longer than ${MAX_ROW_BYTES} bytes (${failure.byteLength} bytes)`;
    case 'wrong-width':
      return `a quoted field runs over ${failure.lineCount} lines into a record of ${failure.fieldCount} columns, expected ${header?.columns.length} (an unterminated quote?); ${firstLine}`;
  }
}

/** The start of a row's bytes as text, for the rejects file (invalid UTF-8 shows as U+FFFD). */
export function rawText(bytes: Buffer): string {
  const text = bytes.subarray(0, MAX_RAW_CHARS * 4).toString('utf8');
  return text.length > MAX_RAW_CHARS ? `${text.slice(0, MAX_RAW_CHARS)}…` : text;
}
