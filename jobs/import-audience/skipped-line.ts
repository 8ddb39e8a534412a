import { CR, LF, type ScanFailure, type ScanFailureKind } from './scanned-record.ts';

/** Bytes of a failed line kept for its report (1,024 characters of UTF-8 need at most 4,096). */
export const HEAD_BYTES = 4096;

/** What is known of a failed record whose first line goes on past the bytes held. */
export interface SkippedLineStart {
  readonly kind: ScanFailureKind;
  readonly line: number;
  /** Object offset of the line's first byte. */
  readonly start: number;
  /** The line's first bytes (at most HEAD_BYTES). */
  readonly head: Buffer;
  /** Bytes of the line seen so far. */
  readonly byteLength: number;
  readonly fieldCount: number;
  readonly fieldIndex: number;
  /** The last byte seen was a CR: a LF right after it belongs to the same line break. */
  readonly afterCr: boolean;
}

/**
 * The rest of a failed record's first line when that line alone passes the size limit: its bytes are dropped as
 * they come (counted, the first 4 KiB kept for the report) until its line break, so memory stays bounded.
 */
export class SkippedLine {
  private head: Buffer;
  private byteLength: number;
  private afterCr: boolean;
  /** True once the line break was seen (or the data ended). */
  ended = false;

  constructor(private readonly begun: SkippedLineStart) {
    this.head = begun.head;
    this.byteLength = begun.byteLength;
    this.afterCr = begun.afterCr;
  }

  /** Drops the line's bytes from the front of `chunk`, its line break included; returns how many it took. */
  take(chunk: Buffer, final: boolean): number {
    if (this.afterCr) {
      if (chunk.length === 0 && !final) return 0;
      this.ended = true;
      return chunk.length > 0 && chunk[0] === LF ? 1 : 0;
    }
    let k = 0;
    while (k < chunk.length && chunk[k] !== LF && chunk[k] !== CR) k++;
    this.byteLength += k;
    if (this.head.length < HEAD_BYTES) {
      this.head = Buffer.concat([this.head, chunk.subarray(0, Math.min(k, HEAD_BYTES - this.head.length))]);
    }
    if (k === chunk.length) {
      this.ended = final;
      return k;
    }
    if (chunk[k] === CR && k + 1 === chunk.length && !final) {
      this.afterCr = true;
      return chunk.length;
    }
    this.ended = true;
    return k + (chunk[k] === CR && chunk[k + 1] === LF ? 2 : 1);
  }

  /** The failure of the line, which ended at object offset `end` (its line break included). */
  failure(end: number): ScanFailure {
    const { kind, line, start, fieldCount, fieldIndex } = this.begun;
    return {
      kind,
      line,
      start,
      end,
      head: this.head,
      byteLength: this.byteLength,
      lineCount: 1,
      fieldCount,
      fieldIndex,
    };
  }
}
