import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { type CsvScanHandler, CsvScanner } from './csv-scanner.ts';
import { RecordRules } from './record-rules.ts';
import { type RowBatch, RowBatchBuilder } from './row-batch.ts';
import { type CsvHeader, MAX_ROW_BYTES } from './row-rules.ts';
import { CR, LF } from './scanned-record.ts';
import { UserIdFingerprints } from './seen-user-ids.ts';
import { getImportObject, openSourceObject, type SourceObjectRef } from './source-object.ts';
import { type RecordLabels, recordSizeProblem, userRecordJson } from './user-record.ts';

/** The (uncompressed) object a block belongs to, and what every block of it needs. */
export interface BlockSource extends SourceObjectRef, RecordLabels {
  /** The ETag the import reads (every ranged GET is If-Match on it). */
  readonly etag: string;
  /** The object's size in bytes (of its CSV text: a whole block reads to the end, whatever it says). */
  readonly size: number;
  readonly header: CsvHeader;
}

/**
 * One block of an object: the records whose first byte lies from its start candidate (the first byte after the
 * first line break at or after `start - 1`, or exactly `exactStart`) to its end candidate (the same rule at `end`;
 * the object's size at its end). Line 1 is the line of its first record.
 */
export interface BlockTask {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  /** The start when it is known (after the header, or where the previous block was found to end). */
  readonly exactStart?: number;
  /**
   * The whole object as one block, read from its start through `csvBytes` (a gzip object: not splittable); offsets
   * are then those of the decompressed text, and `end` is ignored.
   */
  readonly whole?: boolean;
}

/** Where a block's records turned out to be, by its own reading. */
export interface BlockOutcome {
  /** Object offset of its first record (its start candidate, or `exactStart`). */
  readonly firstRecordStart: number;
  /** Object offset of the first record at or after its end candidate (the object's size at the end). */
  readonly nextRecordStart: number;
  /** Physical lines from its first record's start to `nextRecordStart`. */
  readonly lineCount: number;
}

/** What a block reader hands on: its first record's offset once known, then batches in file order. */
export interface BlockOutput {
  started(firstRecordStart: number): void;
  /** A batch of rows; the reader waits for the promise before reading on (back-pressure). */
  batch(batch: RowBatch): Promise<void> | void;
}

/** The bytes of a block: a ranged GET from `from`, or the whole object's CSV text (gunzipped) for a whole block. */
async function openBlockBytes(
  s3: S3Client,
  source: BlockSource,
  task: BlockTask,
  from: number,
): Promise<{ chunks: AsyncIterable<Uint8Array>; close: () => void }> {
  if (task.whole) {
    const object = await openSourceObject(s3, source, source.etag);
    return { chunks: object.chunks, close: () => object.destroy() };
  }
  const body = (await getImportObject(s3, source, source.etag, from)).Body as Readable;
  return { chunks: body, close: () => body.destroy() };
}

/** Where the first record at or after `from` may start: after the first line break at or after `from`. */
class LineStartFinder {
  /** The offset found, once found. */
  found: number | undefined;
  private crAt = -1;

  constructor(private readonly from: number) {}

  /** Looks at `chunk`, which starts at object offset `offset`. */
  look(chunk: Uint8Array, offset: number): void {
    if (this.found !== undefined) return;
    if (this.crAt >= 0) {
      // A CR ended the last chunk: a LF right after it belongs to the same line break.
      this.found = chunk.length > 0 && chunk[0] === LF ? this.crAt + 2 : this.crAt + 1;
      return;
    }
    for (let i = Math.max(0, this.from - offset); i < chunk.length; i++) {
      const c = chunk[i];
      if (c === LF) {
        this.found = offset + i + 1;
        return;
      }
      if (c === CR) {
        if (i + 1 < chunk.length) {
          this.found = offset + i + (chunk[i + 1] === LF ? 2 : 1);
        } else {
          this.crAt = offset + i;
        }
        return;
      }
    }
  }

  /** At the end of the object: a pending CR ends its line there, and no break means no further record. */
  atEnd(size: number): number {
    if (this.found === undefined) this.found = this.crAt >= 0 ? this.crAt + 1 : size;
    return this.found;
  }
}

/**
 * Reads one block of an object by a ranged GET: scans its records, applies the record rules, fingerprints each
 * valid row's user id and encodes its Kafka record, and hands them on in batches. Runs the same in a worker
 * thread and in the job's own thread. The duplicate rule is the caller's (it needs every block's ids).
 */
export async function readBlock(
  s3: S3Client,
  source: BlockSource,
  task: BlockTask,
  output: BlockOutput,
  cancelled: () => boolean = () => false,
): Promise<BlockOutcome> {
  if (task.exactStart !== undefined && task.exactStart >= task.end) {
    // The previous block's last record runs past this block's end: no record starts here.
    output.started(task.exactStart);
    return { firstRecordStart: task.exactStart, nextRecordStart: task.exactStart, lineCount: 0 };
  }
  const from = task.whole ? 0 : (task.exactStart ?? Math.max(0, task.start - 1));
  const { chunks, close } = await openBlockBytes(s3, source, task, from);
  const fingerprints = await UserIdFingerprints.create();
  const builder = new RowBatchBuilder();
  const startFinder = task.exactStart === undefined ? new LineStartFinder(from) : undefined;
  const endFinder = task.whole || task.end >= source.size ? undefined : new LineStartFinder(task.end - 1);
  let endCandidate = endFinder ? undefined : Number.POSITIVE_INFINITY;
  let next: { start: number; line: number } | undefined;
  const beyond = (start: number, line: number): boolean => {
    if (next) return true;
    if (endCandidate === undefined || start < endCandidate) return false;
    next = { start, line };
    return true;
  };
  const handler: CsvScanHandler = {
    record: (record) => {
      if (beyond(record.start, record.line)) return;
      const item = rules!.classify(record);
      if (item === undefined) return;
      if (item.kind === 'rejected') {
        builder.addRejection(item);
        return;
      }
      const id = record.field(source.header.userIdIndex);
      builder.addRow(
        item.line,
        item.userId,
        userRecordJson(item, source),
        record.bytes(),
        fingerprints.of(id),
      );
    },
    failure: (failure) => {
      if (!beyond(failure.start, failure.line)) builder.addRejection(rules!.reject(failure));
    },
  };
  let scanner: CsvScanner | undefined;
  let rules: RecordRules | undefined;
  const startScanning = (at: number): CsvScanner => {
    output.started(at);
    scanner = new CsvScanner(handler, { maxRecordBytes: MAX_ROW_BYTES, startOffset: at });
    rules = new RecordRules(scanner, source.header, (row) => recordSizeProblem(row, source));
    return scanner;
  };
  if (task.exactStart !== undefined) startScanning(task.exactStart);
  let offset = from;
  try {
    for await (const data of chunks) {
      if (cancelled()) break;
      const chunk = data as Uint8Array;
      const chunkOffset = offset;
      offset += chunk.length;
      startFinder?.look(chunk, chunkOffset);
      if (endFinder && endCandidate === undefined) {
        endFinder.look(chunk, chunkOffset);
        endCandidate = endFinder.found;
      }
      if (!scanner) {
        const at = startFinder!.found;
        if (at === undefined || at > offset) continue;
        startScanning(at);
      }
      const skip = Math.max(0, scanner!.offset - chunkOffset);
      scanner!.push(Buffer.from(chunk.buffer, chunk.byteOffset + skip, chunk.length - skip));
      if (builder.full) await output.batch(builder.take(scanner!.offset));
      if (next) break;
    }
  } finally {
    close();
  }
  // No line starts in the rest of the object: the block holds no record.
  const end = scanner ?? startScanning(startFinder!.atEnd(offset));
  if (!next && !cancelled()) {
    endCandidate = endFinder ? endFinder.atEnd(offset) : Number.POSITIVE_INFINITY;
    end.end();
  }
  if (builder.size > 0) await output.batch(builder.take(end.offset));
  const firstRecordStart = task.exactStart ?? startFinder!.found!;
  const nextRecordStart = next?.start ?? offset;
  return { firstRecordStart, nextRecordStart, lineCount: (next?.line ?? end.line) - 1 };
}
