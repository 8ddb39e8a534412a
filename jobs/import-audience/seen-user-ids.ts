import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createXXHash128, type IHasher } from 'hash-wasm';

/** Words per slot: a 128-bit fingerprint (4 × 32 bits) and the line the id was first seen on. */
const SLOT_WORDS = 5;
/** Bytes per slot of the table. */
export const BYTES_PER_SLOT = SLOT_WORDS * 4;
/** The table grows before it is fuller than this (linear probing stays short below it). */
export const MAX_LOAD = 0.7;
/** Pre-sizing never reserves room for more rows than this; a larger file grows the table as it goes. */
export const MAX_RESERVED_ROWS = 16_000_000;
/** Growth factor when the table is full. */
const GROWTH = 1.5;
/** A line number too large for a slot's 32 bits; the real line is kept in a small map. */
const LINE_OVERFLOW = 0xffffffff;
/** Bytes of one entry of a fingerprint file: the fingerprint (16, big-endian) and the first line (4). */
export const FINGERPRINT_ENTRY_BYTES = 20;

/**
 * The user ids of one import, as 128-bit XXH3 fingerprints in an open-addressing table of typed arrays, each
 * with the line it was first seen on: bounded memory per row (20 bytes a slot, at most 70 % full: 28.6 bytes a
 * row when pre-sized right, up to 43 after growing) instead of a Set of strings. Two different ids share a
 * fingerprint with probability about n² / 2^129: 3.7e-24 at 50,000,000 rows.
 */
export class SeenUserIds {
  private slots: Uint32Array;
  private capacity: number;
  private count = 0;
  private readonly overflowLines = new Map<string, number>();

  private constructor(
    private readonly fingerprints: UserIdFingerprints,
    capacity: number,
  ) {
    this.capacity = Math.max(16, Math.ceil(capacity));
    this.slots = new Uint32Array(this.capacity * SLOT_WORDS);
  }

  /** An empty table with room for `rows` ids before it grows. */
  static async create(rows = 4096): Promise<SeenUserIds> {
    return new SeenUserIds(await UserIdFingerprints.create(), rows / MAX_LOAD);
  }

  /** Ids recorded. */
  get size(): number {
    return this.count;
  }

  /** Bytes the table holds now. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /** Makes room for `rows` ids in all (capped at MAX_RESERVED_ROWS), so the table need not grow on the way. */
  reserve(rows: number): void {
    const wanted = Math.ceil(Math.min(rows, MAX_RESERVED_ROWS) / MAX_LOAD);
    if (wanted > this.capacity) this.rehash(wanted);
  }

  /**
   * Records the id (its UTF-8 bytes) as first seen on `line` and returns 0, or, when it was seen before, returns
   * the line it was first seen on (and records nothing).
   */
  firstLineOf(id: Uint8Array, line: number): number {
    const d = this.fingerprints.of(id);
    return this.firstLineOfFingerprint(d[0]!, d[1]!, d[2]!, d[3]!, line);
  }

  /** As {@link firstLineOf}, for an id already fingerprinted (by {@link UserIdFingerprints}, e.g. in a worker thread). */
  firstLineOfFingerprint(w0: number, w1: number, w2: number, w3: number, line: number): number {
    const slots = this.slots;
    const capacity = this.capacity;
    let slot = homeSlot(w0, capacity);
    for (;;) {
      const base = slot * SLOT_WORDS;
      const seenLine = slots[base + 4]!;
      if (seenLine === 0) break;
      if (slots[base] === w0 && slots[base + 1] === w1 && slots[base + 2] === w2 && slots[base + 3] === w3) {
        return seenLine === LINE_OVERFLOW ? this.overflowLines.get(overflowKey(w0, w1, w2, w3))! : seenLine;
      }
      if (++slot === capacity) slot = 0;
    }
    const base = slot * SLOT_WORDS;
    slots[base] = w0;
    slots[base + 1] = w1;
    slots[base + 2] = w2;
    slots[base + 3] = w3;
    if (line >= LINE_OVERFLOW) {
      slots[base + 4] = LINE_OVERFLOW;
      this.overflowLines.set(overflowKey(w0, w1, w2, w3), line);
    } else {
      slots[base + 4] = line;
    }
    if (++this.count > this.capacity * MAX_LOAD) this.rehash(Math.ceil(this.capacity * GROWTH));
    return 0;
  }

  /**
   * Writes every fingerprint with its first line, sorted by fingerprint (20-byte entries: the fingerprint
   * big-endian, then the line), so per-shard files of one import can be merged to find ids across shards.
   * Returns the number of entries.
   */
  async writeSortedFingerprints(path: string): Promise<number> {
    const { slots } = this;
    const order = new Uint32Array(this.count);
    let n = 0;
    for (let slot = 0; slot < this.capacity; slot++)
      if (slots[slot * SLOT_WORDS + 4] !== 0) order[n++] = slot;
    order.sort((a, b) => compareFingerprints(slots, a * SLOT_WORDS, b * SLOT_WORDS));
    const out = createWriteStream(path);
    const block = Buffer.alloc(FINGERPRINT_ENTRY_BYTES * 4096);
    let used = 0;
    for (const slot of order) {
      const base = slot * SLOT_WORDS;
      for (let w = 0; w < 4; w++) block.writeUInt32BE(slots[base + w]!, used + w * 4);
      block.writeUInt32BE(Math.min(this.lineAt(base), LINE_OVERFLOW), used + 16);
      used += FINGERPRINT_ENTRY_BYTES;
      if (used === block.length) {
        if (!out.write(Buffer.from(block))) await once(out, 'drain');
        used = 0;
      }
    }
    out.end(block.subarray(0, used));
    await once(out, 'finish');
    return order.length;
  }

  private lineAt(base: number): number {
    const line = this.slots[base + 4]!;
    if (line !== LINE_OVERFLOW) return line;
    const { slots } = this;
    return this.overflowLines.get(
      overflowKey(slots[base]!, slots[base + 1]!, slots[base + 2]!, slots[base + 3]!),
    )!;
  }

  private rehash(capacity: number): void {
    const old = this.slots;
    const oldCapacity = this.capacity;
    const slots = new Uint32Array(capacity * SLOT_WORDS);
    for (let i = 0; i < oldCapacity; i++) {
      const from = i * SLOT_WORDS;
      if (old[from + 4] === 0) continue;
      let slot = homeSlot(old[from]!, capacity);
      while (slots[slot * SLOT_WORDS + 4] !== 0) if (++slot === capacity) slot = 0;
      slots.set(old.subarray(from, from + SLOT_WORDS), slot * SLOT_WORDS);
    }
    this.slots = slots;
    this.capacity = capacity;
  }
}

/** 128-bit XXH3 fingerprints of user ids (their UTF-8 bytes), as four 32-bit words. */
export class UserIdFingerprints {
  private readonly words = new Uint32Array(4);

  private constructor(private readonly hasher: IHasher) {}

  static async create(): Promise<UserIdFingerprints> {
    return new UserIdFingerprints(await createXXHash128());
  }

  /** The id's fingerprint; the returned array is reused by the next call. */
  of(id: Uint8Array): Uint32Array {
    const { hasher, words } = this;
    hasher.init();
    hasher.update(id);
    const d = hasher.digest('binary');
    words[0] = d[0]! | (d[1]! << 8) | (d[2]! << 16) | (d[3]! << 24);
    words[1] = d[4]! | (d[5]! << 8) | (d[6]! << 16) | (d[7]! << 24);
    words[2] = d[8]! | (d[9]! << 8) | (d[10]! << 16) | (d[11]! << 24);
    words[3] = d[12]! | (d[13]! << 8) | (d[14]! << 16) | (d[15]! << 24);
    return words;
  }
}

/** Maps 32 fingerprint bits onto 0..capacity-1 by multiplication (any capacity, not only powers of two). */
function homeSlot(word: number, capacity: number): number {
  return Math.floor(word * capacity * 2.3283064365386963e-10);
}

function overflowKey(w0: number, w1: number, w2: number, w3: number): string {
  return `${w0}.${w1}.${w2}.${w3}`;
}

function compareFingerprints(slots: Uint32Array, a: number, b: number): number {
  for (let w = 0; w < 4; w++) {
    const diff = slots[a + w]! - slots[b + w]!;
    if (diff !== 0) return diff;
  }
  return 0;
}
