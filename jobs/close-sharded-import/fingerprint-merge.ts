import TinyQueue from 'tinyqueue';
import { FINGERPRINT_ENTRY_BYTES } from '../import-audience/seen-user-ids.ts';

/** One place a fingerprint was seen: the source (shard) and the line its file gave. */
export interface FingerprintOccurrence {
  readonly source: number;
  readonly line: number;
}

/** A fingerprint found in more than one source, with every occurrence in source order. */
export interface RepeatedFingerprint {
  /** The 128-bit fingerprint, 32 hex digits. */
  readonly fingerprint: string;
  readonly occurrences: readonly FingerprintOccurrence[];
}

/** A fingerprint file is not what `SeenUserIds.writeSortedFingerprints` writes. */
export class FingerprintFileError extends Error {
  override readonly name = 'FingerprintFileError';
}

/**
 * Reads one sorted fingerprint file entry by entry from its byte chunks: the head entry's four big-endian words
 * and line. Holds one chunk and at most 19 carried bytes; checks that entries strictly increase.
 */
class FingerprintCursor {
  w0 = 0;
  w1 = 0;
  w2 = 0;
  w3 = 0;
  line = 0;
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private entries = 0;
  private readonly chunks: AsyncIterator<Uint8Array>;

  constructor(
    readonly source: number,
    chunks: AsyncIterable<Uint8Array>,
  ) {
    this.chunks = chunks[Symbol.asyncIterator]();
  }

  /** Moves to the next entry; false at the end of the file. */
  async advance(): Promise<boolean> {
    while (this.buf.length - this.pos < FINGERPRINT_ENTRY_BYTES) {
      const next = await this.chunks.next();
      const rest = this.buf.length - this.pos;
      if (next.done) {
        if (rest === 0) return false;
        throw new FingerprintFileError(
          `fingerprint file of source ${this.source} ends with ${rest} bytes, not a whole ${FINGERPRINT_ENTRY_BYTES}-byte entry`,
        );
      }
      const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      this.buf = rest > 0 ? Buffer.concat([this.buf.subarray(this.pos), chunk]) : chunk;
      this.pos = 0;
    }
    const { buf, pos } = this;
    const w0 = buf.readUInt32BE(pos);
    const w1 = buf.readUInt32BE(pos + 4);
    const w2 = buf.readUInt32BE(pos + 8);
    const w3 = buf.readUInt32BE(pos + 12);
    if (this.entries > 0 && compareWords(this.w0, this.w1, this.w2, this.w3, w0, w1, w2, w3) >= 0) {
      throw new FingerprintFileError(
        `fingerprint file of source ${this.source} is not strictly sorted at entry ${this.entries + 1}`,
      );
    }
    this.w0 = w0;
    this.w1 = w1;
    this.w2 = w2;
    this.w3 = w3;
    this.line = buf.readUInt32BE(pos + 16);
    this.pos = pos + FINGERPRINT_ENTRY_BYTES;
    this.entries++;
    return true;
  }
}

function hex(...words: number[]): string {
  return words.map((w) => w.toString(16).padStart(8, '0')).join('');
}

function compareWords(
  a0: number,
  a1: number,
  a2: number,
  a3: number,
  b0: number,
  b1: number,
  b2: number,
  b3: number,
): number {
  return a0 - b0 || a1 - b1 || a2 - b2 || a3 - b3;
}

function compareCursors(a: FingerprintCursor, b: FingerprintCursor): number {
  return compareWords(a.w0, a.w1, a.w2, a.w3, b.w0, b.w1, b.w2, b.w3) || a.source - b.source;
}

/**
 * Merges sorted fingerprint files (one per shard; 20-byte entries: the fingerprint big-endian, then a line, sorted
 * by fingerprint) with a k-way merge over their byte streams, in constant memory (one chunk per source and a
 * heap of k heads), and reports every fingerprint present in more than one source, exactly (all 128 bits equal).
 * Returns how many occurrences repeat an earlier one (a fingerprint in three sources counts 2).
 */
export async function findRepeatedFingerprints(
  sources: readonly AsyncIterable<Uint8Array>[],
  onRepeated: (repeated: RepeatedFingerprint) => void = () => undefined,
): Promise<number> {
  const heap = new TinyQueue<FingerprintCursor>([], compareCursors);
  const started = sources.map((chunks, source) => new FingerprintCursor(source, chunks));
  for (const cursor of started) if (await cursor.advance()) heap.push(cursor);
  let repeats = 0;
  while (heap.length > 0) {
    const first = heap.pop()!;
    const { w0, w1, w2, w3 } = first;
    const occurrences: FingerprintOccurrence[] = [{ source: first.source, line: first.line }];
    if (await first.advance()) heap.push(first);
    for (let top = heap.peek(); top && compareWords(top.w0, top.w1, top.w2, top.w3, w0, w1, w2, w3) === 0; ) {
      heap.pop();
      occurrences.push({ source: top.source, line: top.line });
      if (await top.advance()) heap.push(top);
      top = heap.peek();
    }
    if (occurrences.length > 1) {
      repeats += occurrences.length - 1;
      onRepeated({ fingerprint: hex(w0, w1, w2, w3), occurrences });
    }
  }
  return repeats;
}
