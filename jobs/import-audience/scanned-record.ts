/** What the CSV scanner reports: a record (a reused view over the pushed bytes) or a failure of one. */

import { isAscii } from 'node:buffer';

/** The double quote byte. */
export const QUOTE = 0x22;
/** Line feed. */
export const LF = 0x0a;
/** Carriage return. */
export const CR = 0x0d;

/** Why a record could not be formed. */
export type ScanFailureKind =
  /** A quoted field closed and was followed by something other than a comma or a line end (`K2,"b"x`). */
  | 'text-after-closing-quote'
  /** A quote still open at the end of the data. */
  | 'unterminated-quote'
  /** A record longer than `maxRecordBytes` (the scanner's memory bound). */
  | 'too-long'
  /** A record spanning lines through a quoted line break whose field count is not the expected one. */
  | 'wrong-width';

/** A record that could not be formed, reported as its first physical line. */
export interface ScanFailure {
  readonly kind: ScanFailureKind;
  /** Line number of the record's first line: the line that is rejected. */
  readonly line: number;
  /** Byte offset of the line's first byte in the object. */
  readonly start: number;
  /** Byte offset just past the line's line break: reading resumes there. */
  readonly end: number;
  /** The line's bytes without its line break, cut at 4,096 bytes. */
  readonly head: Buffer;
  /** Bytes of the record without its line break, as far as they were scanned (all of them for a single line). */
  readonly byteLength: number;
  /** Lines the record spanned as far as it was scanned (1 when it never left its first line). */
  readonly lineCount: number;
  /** Fields formed so far (for `wrong-width`: all of them). */
  readonly fieldCount: number;
  /** 0-based index of the field where the problem is (the open or wrongly closed quote). */
  readonly fieldIndex: number;
}

/** A record as scanned. The scanner reuses this object: read it inside the callback, copy what you keep. */
export interface ScannedRecord {
  /** Line number of the record's first line. */
  readonly line: number;
  /** Physical lines the record spans (more than 1 when a quoted field holds a line break). */
  readonly lineCount: number;
  /** Byte offset of the record's first byte in the object. */
  readonly start: number;
  /** Byte offset just past the record's line break (or the end of the data). */
  readonly end: number;
  /** Bytes of the record without its line break. */
  readonly byteLength: number;
  readonly fieldCount: number;
  /** The field's bytes, quotes removed and `""` unescaped (a view into the pushed data unless it had escapes). */
  field(index: number): Buffer;
  /** The field decoded as UTF-8 (check `bytes()` with `isUtf8` first: invalid bytes become U+FFFD). */
  fieldText(index: number): string;
  /** The record's bytes as they are in the file, without its line break. */
  bytes(): Buffer;
  /** True when every byte of the record is ASCII (checked once per record). */
  isAscii(): boolean;
}

/** Receives what the scanner finds, in file order. */
export interface CsvScanHandler {
  record(record: ScannedRecord): void;
  failure(failure: ScanFailure): void;
}

/** The scanner's one reusable record: field boundaries of the current record over the pushed data. */
export class RecordView implements ScannedRecord {
  buf: Buffer = Buffer.alloc(0);
  line = 0;
  lineCount = 0;
  start = 0;
  end = 0;
  byteLength = 0;
  fieldCount = 0;
  at = 0;
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  escaped = new Uint8Array(64);
  /** 1 ASCII, 0 not, -1 not checked yet: the scanner sets -1 for each record. */
  ascii = -1;
  /** The whole record as text, when ASCII and asked for: fields are slices of it (one decode per record). */
  text: string | undefined;

  field(index: number): Buffer {
    const raw = this.buf.subarray(this.starts[index]!, this.ends[index]!);
    return this.escaped[index] ? unescapeQuotes(raw) : raw;
  }

  fieldText(index: number): string {
    let text: string;
    if (this.isAscii()) {
      this.text ??= this.buf.toString('latin1', this.at, this.at + this.byteLength);
      text = this.text.slice(this.starts[index]! - this.at, this.ends[index]! - this.at);
    } else {
      text = this.buf.toString('utf8', this.starts[index]!, this.ends[index]!);
    }
    return this.escaped[index] ? text.replaceAll('""', '"') : text;
  }

  isAscii(): boolean {
    if (this.ascii === -1) this.ascii = isAscii(this.bytes()) ? 1 : 0;
    return this.ascii === 1;
  }

  bytes(): Buffer {
    return this.buf.subarray(this.at, this.at + this.byteLength);
  }

  grow(): void {
    const size = this.starts.length * 2;
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    const escaped = new Uint8Array(size);
    starts.set(this.starts);
    ends.set(this.ends);
    escaped.set(this.escaped);
    Object.assign(this, { starts, ends, escaped });
  }
}

/** Inside a quoted field every quote is doubled, so each `""` pair becomes one quote. */
function unescapeQuotes(raw: Buffer): Buffer {
  const out = Buffer.allocUnsafe(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    out[n++] = raw[i]!;
    if (raw[i] === QUOTE) i++;
  }
  return out.subarray(0, n);
}
