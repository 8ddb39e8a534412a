/**
 * A byte-level CSV record scanner: pure, synchronous, no I/O, so it runs the same in the job, in a worker thread
 * or over one byte range of an object. RFC 4180 quoting and `""` escapes; CRLF, LF and CR line ends mixed freely
 * (a CR before a line break never stays in a value); CR/LF inside a quoted field are content; a quote inside an
 * unquoted field is text. A record that cannot be parsed is reported as its FIRST physical line only, and scanning
 * resumes on the next line, so no bad byte hides the rows after it.
 */

export type { CsvScanHandler, ScanFailure, ScanFailureKind, ScannedRecord } from './scanned-record.ts';

import {
  CR,
  type CsvScanHandler,
  LF,
  QUOTE,
  RecordView,
  type ScanFailure,
  type ScanFailureKind,
} from './scanned-record.ts';
import { HEAD_BYTES, SkippedLine } from './skipped-line.ts';

const COMMA = 0x2c;

/** Where the scanned bytes sit in the object, and the scanner's memory bound. */
export interface CsvScannerOptions {
  /** Longest record in bytes (line break excluded); longer ones fail as `too-long`. Bounds the bytes held. */
  readonly maxRecordBytes: number;
  /** Object offset of the first byte pushed (a record start). @default 0 */
  readonly startOffset?: number;
  /** Line number of the first byte pushed. @default 1 */
  readonly startLine?: number;
}

/** Outcome of one attempt to scan the record at the current position. */
enum Step {
  /** A record or a failure was reported and the position moved past it. */
  Advanced,
  /** The record may go on in data not pushed yet. */
  NeedMore,
}

/**
 * Scans pushed chunks into records. Keeps only the bytes of the record being scanned (at most `maxRecordBytes`
 * plus one chunk), so it can rewind to the line after a record's first line when that record fails.
 */
export class CsvScanner {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Object offset of `buf[0]`. */
  private bufOffset: number;
  private lineNo: number;
  private expected: number | undefined;
  private skipped: SkippedLine | undefined;
  private bomPending: boolean;
  private ended = false;
  private readonly view = new RecordView();
  /** What the record being scanned has shown so far, for its failure report. */
  private readonly progress = { breaks: 0, firstBreak: -1, firstBreakEnd: -1, fields: 0, fieldIndex: 0 };
  private readonly maxRecordBytes: number;

  constructor(
    private readonly handler: CsvScanHandler,
    options: CsvScannerOptions,
  ) {
    this.maxRecordBytes = options.maxRecordBytes;
    this.bufOffset = options.startOffset ?? 0;
    this.lineNo = options.startLine ?? 1;
    // A UTF-8 byte order mark can only stand at the start of the object.
    this.bomPending = this.bufOffset === 0;
  }

  /**
   * The field count records must have once known (the header's): a record spanning lines with another count is
   * then a runaway quote, reported as its first line. Single-line records of any width are reported as records.
   */
  expectFields(count: number | undefined): void {
    this.expected = count;
  }

  /** Object offset where the next record starts (all bytes before it are reported). */
  get offset(): number {
    return this.bufOffset + this.pos;
  }

  /** Line number of the next record. */
  get line(): number {
    return this.lineNo;
  }

  /** Bytes held for the record being scanned (at most `maxRecordBytes` + 2 plus one chunk). */
  get heldBytes(): number {
    return this.buf.length - this.pos;
  }

  /** Scans a chunk; reports every record that ends in it (a record may wait for the next chunk). */
  push(chunk: Buffer): void {
    if (this.ended) throw new Error('CsvScanner: push after end');
    let data = chunk;
    if (this.skipped) {
      data = this.skipLine(chunk, false);
      if (this.skipped) return;
    }
    const rest = this.buf.length - this.pos;
    this.bufOffset += this.pos;
    this.buf = rest > 0 ? Buffer.concat([this.buf.subarray(this.pos), data]) : data;
    this.pos = 0;
    this.scan(false);
  }

  /** Ends the data: reports the last record (which needs no line break) or its failure. */
  end(): void {
    if (this.ended) return;
    if (this.skipped) this.skipLine(Buffer.alloc(0), true);
    this.ended = true;
    this.scan(true);
  }

  private scan(final: boolean): void {
    if (this.bomPending) {
      const { buf } = this;
      if (buf.length < 3 && !final && isBomPrefix(buf)) return;
      this.bomPending = false;
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) this.pos = 3;
    }
    while (this.pos < this.buf.length && this.scanRecord(final) === Step.Advanced) {
      // each pass reports one record or failure
    }
    if (this.pos >= this.buf.length) {
      this.bufOffset += this.buf.length;
      this.buf = Buffer.alloc(0);
      this.pos = 0;
    }
  }

  /** Scans the record at `pos`: reports it (or its failure) and moves past it, or waits for more data. */
  private scanRecord(final: boolean): Step {
    const { buf, view } = this;
    const at = this.pos;
    // Scanning stops 2 bytes (a CRLF) past the longest record, wherever the chunks end: the outcome never
    // depends on how the data was cut.
    const len = Math.min(buf.length, at + this.maxRecordBytes + 2);
    const eof = final && len === buf.length;
    const progress = this.progress;
    progress.breaks = 0;
    progress.firstBreak = -1;
    progress.firstBreakEnd = -1;
    let i = at;
    let fields = 0;
    for (;;) {
      if (fields === view.starts.length) view.grow();
      if (i < len && buf[i] === QUOTE) {
        let j = i + 1;
        let escaped = 0;
        progress.fields = fields;
        progress.fieldIndex = fields;
        for (;;) {
          let c = 0;
          while (j < len) {
            c = buf[j]!;
            if (c === QUOTE || c === LF || c === CR) break;
            j++;
          }
          if (j >= len) {
            if (!eof) return this.needMore(at, len);
            progress.fields = fields + 1;
            return this.failFirstLine('unterminated-quote', at, len, true);
          }
          if (c !== QUOTE) {
            // A line break inside quotes is content; CRLF is one break.
            if (c === CR && j + 1 >= len && !eof) return this.needMore(at, j);
            const next = c === CR && buf[j + 1] === LF ? j + 2 : j + 1;
            if (progress.firstBreak < 0) {
              progress.firstBreak = j;
              progress.firstBreakEnd = next;
            }
            progress.breaks++;
            j = next;
            continue;
          }
          if (j + 1 >= len && !eof) return this.needMore(at, len);
          const after = j + 1 < len ? buf[j + 1]! : -1;
          if (after === QUOTE) {
            escaped = 1;
            j += 2;
            continue;
          }
          view.starts[fields] = i + 1;
          view.ends[fields] = j;
          view.escaped[fields] = escaped;
          fields++;
          if (after === COMMA) {
            i = j + 2;
            break;
          }
          if (after === -1) return this.complete(at, len, len, fields);
          if (after === LF) return this.complete(at, j + 1, j + 2, fields);
          if (after === CR) {
            if (j + 2 >= len && !eof) return this.needMore(at, j + 1);
            return this.complete(at, j + 1, buf[j + 2] === LF ? j + 3 : j + 2, fields);
          }
          progress.fields = fields;
          return this.failFirstLine('text-after-closing-quote', at, j + 1, eof);
        }
        continue;
      }
      let j = i;
      let c = 0;
      while (j < len) {
        c = buf[j]!;
        if (c === COMMA || c === LF || c === CR) break;
        j++;
      }
      view.starts[fields] = i;
      view.ends[fields] = j;
      view.escaped[fields] = 0;
      fields++;
      if (j >= len) {
        if (eof) return this.complete(at, len, len, fields);
        progress.fields = fields;
        progress.fieldIndex = fields - 1;
        return this.needMore(at, len);
      }
      if (c === COMMA) {
        i = j + 1;
        continue;
      }
      if (c === LF) return this.complete(at, j, j + 1, fields);
      if (j + 1 >= len && !eof) {
        progress.fields = fields;
        progress.fieldIndex = fields - 1;
        return this.needMore(at, j);
      }
      return this.complete(at, j, buf[j + 1] === LF ? j + 2 : j + 1, fields);
    }
  }

  /** A record ended at `contentEnd` (its line break up to `end`): report it, or its failure. */
  private complete(at: number, contentEnd: number, end: number, fields: number): Step {
    const { progress } = this;
    const byteLength = contentEnd - at;
    if (
      byteLength > this.maxRecordBytes ||
      (progress.breaks > 0 && this.expected !== undefined && fields !== this.expected)
    ) {
      progress.fields = fields;
      progress.fieldIndex = 0;
      return this.failFirstLine(
        byteLength > this.maxRecordBytes ? 'too-long' : 'wrong-width',
        at,
        contentEnd,
        true,
      );
    }
    const { view } = this;
    view.buf = this.buf;
    view.at = at;
    view.line = this.lineNo;
    view.lineCount = progress.breaks + 1;
    view.start = this.bufOffset + at;
    view.end = this.bufOffset + end;
    view.byteLength = byteLength;
    view.fieldCount = fields;
    view.ascii = -1;
    view.text = undefined;
    this.pos = end;
    this.lineNo += progress.breaks + 1;
    this.handler.record(view);
    return Step.Advanced;
  }

  /** Scanning stopped at `from` inside the record: wait for more data, unless it stopped at the size limit. */
  private needMore(at: number, from: number): Step {
    if (this.buf.length < at + this.maxRecordBytes + 2) return Step.NeedMore;
    return this.failFirstLine('too-long', at, from, false);
  }

  /**
   * Reports a failed record as its first line and resumes on the next line: at the record's first (quoted) line
   * break if it had one, else at the first line break from `from` on (dropping bytes until it comes if needed).
   */
  private failFirstLine(kind: ScanFailureKind, at: number, from: number, final: boolean): Step {
    const { buf, progress } = this;
    if (progress.firstBreak >= 0) {
      const scanned = Math.max(from, progress.firstBreak) - at;
      return this.reportFailure(kind, at, progress.firstBreak, progress.firstBreakEnd, scanned);
    }
    let k = from;
    while (k < buf.length && buf[k] !== LF && buf[k] !== CR) k++;
    if (k < buf.length && (buf[k] === LF || k + 1 < buf.length || final)) {
      return this.reportFailure(kind, at, k, buf[k] === CR && buf[k + 1] === LF ? k + 2 : k + 1, k - at);
    }
    if (final) return this.reportFailure(kind, at, buf.length, buf.length, buf.length - at);
    if (buf.length - at <= this.maxRecordBytes) return Step.NeedMore;
    // The first line alone passes the limit: drop its bytes until its line break comes.
    this.skipped = new SkippedLine({
      kind,
      line: this.lineNo,
      start: this.bufOffset + at,
      head: Buffer.from(buf.subarray(at, Math.min(k, at + HEAD_BYTES))),
      byteLength: k - at,
      fieldCount: progress.fields,
      fieldIndex: progress.fieldIndex,
      afterCr: k < buf.length,
    });
    this.pos = buf.length;
    return Step.NeedMore;
  }

  /** Feeds a skipped line; reports its failure once it ended. Returns the bytes after it. */
  private skipLine(chunk: Buffer, final: boolean): Buffer {
    const skipped = this.skipped!;
    const taken = skipped.take(chunk, final);
    this.bufOffset += taken;
    if (skipped.ended) {
      this.skipped = undefined;
      this.lineNo++;
      this.handler.failure(skipped.failure(this.bufOffset));
    }
    return chunk.subarray(taken);
  }

  /** Reports the first line `at`..`lineEnd` of a failed record and resumes at `end`, the next line. */
  private reportFailure(
    kind: ScanFailureKind,
    at: number,
    lineEnd: number,
    end: number,
    byteLength: number,
  ): Step {
    const { progress } = this;
    const failure: ScanFailure = {
      kind,
      line: this.lineNo,
      start: this.bufOffset + at,
      end: this.bufOffset + end,
      head: Buffer.from(this.buf.subarray(at, Math.min(lineEnd, at + HEAD_BYTES))),
      byteLength,
      lineCount: progress.breaks + 1,
      fieldCount: progress.fields,
      fieldIndex: progress.fieldIndex,
    };
    this.pos = end;
    this.lineNo++;
    this.handler.failure(failure);
    return Step.Advanced;
  }
}

function isBomPrefix(buf: Buffer): boolean {
  return (
    (buf.length < 1 || buf[0] === 0xef) &&
    (buf.length < 2 || buf[1] === 0xbb) &&
    (buf.length < 3 || buf[2] === 0xbf)
  );
}
