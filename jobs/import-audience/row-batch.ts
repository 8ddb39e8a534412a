import type { RowRejection } from './row-rules.ts';

/**
 * A batch of rows as a parser (a worker thread, or the job's own thread) hands them to the producing thread: one
 * byte buffer with each valid row's Kafka key, value and raw CSV bytes, typed arrays for lines and fingerprints,
 * and the few rejections as objects. Plain data and transferable buffers, so posting it copies nothing.
 */
export interface RowBatch {
  /** Items in file order: 0 a valid row, 1 a rejection (the next one of `rejections`). */
  readonly kinds: Uint8Array;
  /** Line of each item, local to the block (its first record is line 1). */
  readonly lines: Float64Array;
  /** Per valid row, the end offsets in `data` of its key, its value and its raw CSV bytes (3 per row). */
  readonly ends: Uint32Array;
  /** Per valid row, the 128-bit fingerprint of its user id (4 words per row). */
  readonly fingerprints: Uint32Array;
  readonly data: Uint8Array;
  /** Rejections with block-local lines, in file order. */
  readonly rejections: RowRejection[];
  /** Object offset just past the batch's last item (how far the block was read). */
  readonly offset: number;
}

/** Values of a batch before it is sent. */
const INITIAL_ITEMS = 1024;
/** A batch is sent once it holds this many bytes or items. */
export const BATCH_BYTES = 1024 * 1024;
export const BATCH_ITEMS = 8192;

/** Collects rows into a {@link RowBatch}; `take()` hands the batch over and starts a new one. */
export class RowBatchBuilder {
  private kinds = new Uint8Array(INITIAL_ITEMS);
  private lines = new Float64Array(INITIAL_ITEMS);
  private ends = new Uint32Array(INITIAL_ITEMS * 3);
  private fingerprints = new Uint32Array(INITIAL_ITEMS * 4);
  private data = Buffer.allocUnsafe(BATCH_BYTES + 64 * 1024);
  private items = 0;
  private rows = 0;
  private used = 0;
  private rejections: RowRejection[] = [];

  /** Items collected since the last `take()`. */
  get size(): number {
    return this.items;
  }

  /** True when the batch should be sent. */
  get full(): boolean {
    return this.used >= BATCH_BYTES || this.items >= BATCH_ITEMS;
  }

  /** Adds a valid row: its key and value (UTF-8 text), its raw CSV bytes and its id's fingerprint. */
  addRow(line: number, key: string, value: string, raw: Uint8Array, fingerprint: Uint32Array): void {
    this.reserveItem();
    const room = this.used + Buffer.byteLength(key) + Buffer.byteLength(value) + raw.length;
    if (room > this.data.length) this.growData(room);
    const r = this.rows++;
    this.used += this.data.write(key, this.used, 'utf8');
    this.ends[r * 3] = this.used;
    this.used += this.data.write(value, this.used, 'utf8');
    this.ends[r * 3 + 1] = this.used;
    this.data.set(raw, this.used);
    this.used += raw.length;
    this.ends[r * 3 + 2] = this.used;
    this.fingerprints.set(fingerprint, r * 4);
    this.kinds[this.items] = 0;
    this.lines[this.items++] = line;
  }

  /** Adds a rejection (its line is block-local). */
  addRejection(rejection: RowRejection): void {
    this.reserveItem();
    this.rejections.push(rejection);
    this.kinds[this.items] = 1;
    this.lines[this.items++] = rejection.line;
  }

  /** The batch collected so far, read up to object offset `offset` (its buffers are its own: safe to transfer). */
  take(offset: number): RowBatch {
    const batch: RowBatch = {
      kinds: this.kinds.slice(0, this.items),
      lines: this.lines.slice(0, this.items),
      ends: this.ends.slice(0, this.rows * 3),
      fingerprints: this.fingerprints.slice(0, this.rows * 4),
      data: new Uint8Array(this.data.subarray(0, this.used)),
      rejections: this.rejections,
      offset,
    };
    this.items = 0;
    this.rows = 0;
    this.used = 0;
    this.rejections = [];
    return batch;
  }

  private reserveItem(): void {
    if (this.items < this.kinds.length) return;
    const size = this.kinds.length * 2;
    this.kinds = grown(this.kinds, new Uint8Array(size));
    this.lines = grown(this.lines, new Float64Array(size));
    this.ends = grown(this.ends, new Uint32Array(size * 3));
    this.fingerprints = grown(this.fingerprints, new Uint32Array(size * 4));
  }

  private growData(needed: number): void {
    const data = Buffer.allocUnsafe(Math.max(needed, this.data.length * 2));
    this.data.copy(data, 0, 0, this.used);
    this.data = data;
  }
}

function grown<T extends Uint8Array | Float64Array | Uint32Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}

/** The buffers of a batch, for `postMessage`'s transfer list. */
export function transferables(batch: RowBatch): ArrayBuffer[] {
  return [batch.kinds, batch.lines, batch.ends, batch.fingerprints, batch.data].map(
    (array) => array.buffer as ArrayBuffer,
  );
}
