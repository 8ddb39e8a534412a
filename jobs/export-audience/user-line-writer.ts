import { isUtf8 } from 'node:buffer';
import { bytesAt } from './bytes-at.ts';
import { csvField, type FormulaEscaping, neutraliseCell } from './csv-cells.ts';

/** What `UserLineWriter.write` made of a record's value. */
export const LineOutcome = {
  /** The row's CSV line is in the chunk. */
  Written: 0,
  /** A user record of another import or segment: nothing written. */
  OtherImport: 1,
  /** Not the import's own shape (escapes, other key order, missing or extra attributes…): read it with JSON.parse. */
  Unknown: 2,
} as const;
export type LineOutcome = (typeof LineOutcome)[keyof typeof LineOutcome];

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const LF = 0x0a;
const APOSTROPHE = 0x27;

/** ASCII white space as JavaScript's `\s` sees it (csvField quotes a field starting or ending with one). */
function isAsciiSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/** `= + - @` (tab and CR never reach here unescaped): the starts formula neutralisation guards. */
function isFormulaStart(byte: number): boolean {
  return byte === 0x3d || byte === 0x2b || byte === 0x2d || byte === 0x40;
}

/** The bytes of a JSON string literal's content, as JSON.stringify writes `value`. */
function jsonContent(value: string): Buffer {
  return Buffer.from(JSON.stringify(value).slice(1, -1));
}

/** CSV bytes gathered by a reader, growing when a line needs room. */
export class CsvChunk {
  bytes: Buffer;
  length = 0;
  constructor(capacity: number) {
    this.bytes = Buffer.allocUnsafe(capacity);
  }
  /** Makes room for `more` bytes. */
  reserve(more: number): void {
    if (this.length + more <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + more));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }
  /** Appends a text (a line written the slow way). */
  writeText(text: string): void {
    this.reserve(Buffer.byteLength(text));
    this.length += this.bytes.write(text, this.length);
  }
  /**
   * The bytes gathered, as a copy of their own exact size, to transfer: the chunk keeps its buffer and starts
   * again empty, and the main thread, which holds what it was sent until its garbage collector runs, holds no
   * unused room.
   */
  take(): Uint8Array {
    const taken = new Uint8Array(this.bytes.subarray(0, this.length));
    this.length = 0;
    return taken;
  }
}

/**
 * Writes a user record's CSV line straight from its JSON bytes, with no string or object per record, when the
 * value is exactly what the import writes (`userRecordJson`: `{"type":"user","userSegmentationId":…,"userId":…,
 * "attributes":{…},"importId":…}`, no white space) with the attributes in the header's order and no string holding
 * an escape; anything else is `Unknown`, for the JSON.parse path, which writes the same bytes
 * (`test/jobs/export-user-lines.property.test.ts`). A field is quoted when it holds a comma or starts or ends with
 * white space (a quote, CR or LF cannot appear unescaped in JSON); a field with a non-ASCII first or last byte is
 * decoded and written as csvField would (Unicode white space).
 */
export class UserLineWriter {
  private readonly segmentation: Buffer;
  private readonly importId: Buffer;
  private readonly neutralise: boolean;
  private columns: Buffer[] = [];
  /** Where each attribute value starts and ends in the record read last (reused: no array per record). */
  private values = new Int32Array(0);
  private at = 0;
  private end = 0;
  /** The OR of the string bytes read: 0x80 set when one was not ASCII. */
  private seen = 0;
  private bytes: Buffer = Buffer.alloc(0);

  constructor(importId: string, userSegmentationId: string, escaping: FormulaEscaping) {
    this.importId = jsonContent(importId);
    this.segmentation = jsonContent(userSegmentationId);
    this.neutralise = escaping === 'attributes';
  }

  /** The header's attribute names, in order. */
  setColumns(names: readonly string[]): void {
    this.columns = names.map((name) => Buffer.from(JSON.stringify(name)));
    this.values = new Int32Array(2 * names.length);
  }

  /** Reads the value `bytes[start, end)` and writes its row to `chunk` when it is the import's. */
  write(bytes: Buffer, start: number, end: number, chunk: CsvChunk): LineOutcome {
    this.bytes = bytes;
    this.at = start;
    this.end = end;
    this.seen = 0;
    if (!this.literal(PREFIX)) return LineOutcome.Unknown;
    const segmentationEnd = this.string();
    if (segmentationEnd < 0) return LineOutcome.Unknown;
    const segmentationStart = PREFIX.length + start + 1;
    if (!this.literal(USER_ID)) return LineOutcome.Unknown;
    const userIdStart = this.at + 1;
    const userIdEnd = this.string();
    if (userIdEnd < 0 || !this.literal(ATTRIBUTES)) return LineOutcome.Unknown;
    const { values } = this;
    for (let i = 0; i < this.columns.length; i++) {
      if ((i > 0 && !this.literal(COMMA_BYTES)) || !this.literal(this.columns[i]!) || !this.literal(COLON))
        return LineOutcome.Unknown;
      const valueStart = this.at + 1;
      const valueEnd = this.string();
      if (valueEnd < 0) return LineOutcome.Unknown;
      values[2 * i] = valueStart;
      values[2 * i + 1] = valueEnd;
    }
    if (!this.literal(IMPORT_ID)) return LineOutcome.Unknown;
    const importIdStart = this.at + 1;
    const importIdEnd = this.string();
    if (importIdEnd < 0 || !this.literal(CLOSE) || this.at !== end) return LineOutcome.Unknown;
    // JSON.parse would read bytes that are not UTF-8 as U+FFFD: leave those to it.
    if (this.seen & 0x80 && !isUtf8(bytes.subarray(start, end))) return LineOutcome.Unknown;
    if (
      !sameBytes(bytes, segmentationStart, segmentationEnd, this.segmentation) ||
      !sameBytes(bytes, importIdStart, importIdEnd, this.importId)
    )
      return LineOutcome.OtherImport;
    // At most: the value's bytes, each field quoted with a formula guard and a comma, the line's end.
    chunk.reserve(end - start + 4 * (values.length / 2 + 1) + 1);
    this.field(chunk, userIdStart, userIdEnd, false);
    for (let i = 0; i < values.length; i += 2) {
      chunk.bytes[chunk.length++] = COMMA;
      this.field(chunk, values[i]!, values[i + 1]!, this.neutralise);
    }
    chunk.bytes[chunk.length++] = LF;
    return LineOutcome.Written;
  }

  /** Moves past `expected` when the bytes at the position are exactly it. */
  private literal(expected: Buffer): boolean {
    if (this.at + expected.length > this.end || !bytesAt(this.bytes, this.at, expected)) return false;
    this.at += expected.length;
    return true;
  }

  /** Moves past a JSON string without escapes; returns the offset of its closing quote, or -1. */
  private string(): number {
    const { bytes, end } = this;
    if (this.at >= end || bytes[this.at] !== QUOTE) return -1;
    for (let i = this.at + 1; i < end; i++) {
      const byte = bytes[i]!;
      this.seen |= byte;
      if (byte === QUOTE) {
        this.at = i + 1;
        return i;
      }
      if (byte === BACKSLASH) return -1;
    }
    return -1;
  }

  /** Writes one field of `bytes[start, end)`, neutralised when asked, quoted when it must be. */
  private field(chunk: CsvChunk, start: number, end: number, neutralise: boolean): void {
    const { bytes } = this;
    if (end > start && (bytes[start]! >= 0x80 || bytes[end - 1]! >= 0x80)) {
      // Unicode white space at an end decides the quoting: csvField's own rules on the decoded text (valid UTF-8,
      // checked: its bytes are the same length encoded again).
      const text = bytes.toString('utf8', start, end);
      chunk.length += chunk.bytes.write(csvField(neutralise ? neutraliseCell(text) : text), chunk.length);
      return;
    }
    const guard = neutralise && end > start && isFormulaStart(bytes[start]!);
    let quoted = end > start && ((!guard && isAsciiSpace(bytes[start]!)) || isAsciiSpace(bytes[end - 1]!));
    for (let i = start; i < end && !quoted; i++) quoted = bytes[i] === COMMA;
    if (quoted) chunk.bytes[chunk.length++] = QUOTE;
    if (guard) chunk.bytes[chunk.length++] = APOSTROPHE;
    chunk.length += bytes.copy(chunk.bytes, chunk.length, start, end);
    if (quoted) chunk.bytes[chunk.length++] = QUOTE;
  }
}

function sameBytes(bytes: Buffer, start: number, end: number, expected: Buffer): boolean {
  return end - start === expected.length && bytesAt(bytes, start, expected);
}

const PREFIX = Buffer.from('{"type":"user","userSegmentationId":');
const USER_ID = Buffer.from(',"userId":');
const ATTRIBUTES = Buffer.from(',"attributes":{');
const COMMA_BYTES = Buffer.from(',');
const COLON = Buffer.from(':');
const IMPORT_ID = Buffer.from('},"importId":');
const CLOSE = Buffer.from('}');
