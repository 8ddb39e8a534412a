import type { RowBatch } from './row-batch.ts';
import { type CsvHeader, type RowRejection, rawText } from './row-rules.ts';
import type { SeenUserIds } from './seen-user-ids.ts';

/**
 * A batch as the producing side takes it: lines made absolute (or shard-local), the duplicate rule applied in
 * file order, and for each item either a record to produce (`key`, `value`) or a rejection.
 */
export class ImportBatch {
  private readonly rowOf: Int32Array;
  private readonly rejections = new Map<number, RowRejection>();

  /** Applies the duplicate rule to `batch`'s rows, whose lines start at `firstLine` (the block's line 1). */
  constructor(
    private readonly batch: RowBatch,
    firstLine: number,
    seen: SeenUserIds,
    header: CsvHeader,
  ) {
    const { kinds, lines, fingerprints, ends, data } = batch;
    this.rowOf = new Int32Array(kinds.length);
    let row = 0;
    let rejected = 0;
    for (let i = 0; i < kinds.length; i++) {
      const line = firstLine + lines[i]! - 1;
      if (kinds[i] === 1) {
        this.rejections.set(i, { ...batch.rejections[rejected++]!, line });
        this.rowOf[i] = -1;
        continue;
      }
      const f = row * 4;
      const first = seen.firstLineOfFingerprint(
        fingerprints[f]!,
        fingerprints[f + 1]!,
        fingerprints[f + 2]!,
        fingerprints[f + 3]!,
        line,
      );
      if (first !== 0) {
        const raw = Buffer.from(
          data.buffer,
          data.byteOffset + ends[row * 3 + 1]!,
          ends[row * 3 + 2]! - ends[row * 3 + 1]!,
        );
        this.rejections.set(i, {
          kind: 'rejected',
          line,
          column: header.columns[header.userIdIndex]!,
          reason: `duplicate of line ${first}`,
          raw: rawText(raw),
        });
        this.rowOf[i] = -1;
      } else {
        this.rowOf[i] = row;
      }
      row++;
    }
  }

  /** Items (records) in the batch. */
  get size(): number {
    return this.rowOf.length;
  }

  /** Object offset just past the batch's last record. */
  get offset(): number {
    return this.batch.offset;
  }

  /** The rejection of item `i`, or undefined when it is a record to produce. */
  rejection(i: number): RowRejection | undefined {
    return this.rowOf[i] === -1 ? this.rejections.get(i) : undefined;
  }

  /** The Kafka key (user id) of item `i`, a record to produce. */
  key(i: number): Buffer {
    const r = this.rowOf[i]!;
    const { ends, data } = this.batch;
    const from = r === 0 ? 0 : ends[r * 3 - 1]!;
    return Buffer.from(data.buffer, data.byteOffset + from, ends[r * 3]! - from);
  }

  /** The Kafka record value (JSON) of item `i`, a record to produce. */
  value(i: number): Buffer {
    const r = this.rowOf[i]!;
    const { ends, data } = this.batch;
    return Buffer.from(data.buffer, data.byteOffset + ends[r * 3]!, ends[r * 3 + 1]! - ends[r * 3]!);
  }
}
