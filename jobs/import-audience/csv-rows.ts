import { CsvScanner, type ScanFailure, type ScannedRecord } from './csv-scanner.ts';
import { RecordRules } from './record-rules.ts';
import {
  CsvFileError,
  type CsvHeader,
  MAX_ROW_BYTES,
  type RowRejection,
  type ValidRow,
} from './row-rules.ts';
import { SeenUserIds } from './seen-user-ids.ts';

/** What reading a file yields for each of its records, in file order: a valid row or a rejection. */
export type RowItem = ValidRow | RowRejection;

/** Rows read (or CSV bytes read) before the duplicate table is pre-sized from the estimate. */
const PRESIZE_AFTER_ROWS = 10_000;
const PRESIZE_AFTER_BYTES = 1024 * 1024;

/** How to read one file. */
export interface CsvRowsOptions {
  /**
   * Rows the whole file should hold, from the rows and CSV bytes read so far (see `ImportSource.estimateRows`):
   * pre-sizes the duplicate table once, so it need not grow on the way.
   */
  readonly estimateRows?: (rowsRead: number, csvBytesRead: number) => number | undefined;
  /**
   * A rule of the consuming side, applied to a valid row before its id counts as seen (e.g. the size of the Kafka
   * record it becomes): a reason rejects the row.
   */
  readonly extraRule?: (row: ValidRow) => string | undefined;
}

/**
 * The rows of one CSV file: the scanner's records checked by the header rules, the row rules and the duplicate
 * rule (a user id seen before in the file is rejected as "duplicate of line N"). Every record after the header
 * is accounted for exactly once, as a row or a rejection. Synchronous (`push` / `end`) or as an async iterable.
 */
export class CsvRows {
  /** Data records read so far (rows and rejections). */
  rowsRead = 0;
  private items: RowItem[] = [];
  private presized = false;
  private readonly scanner: CsvScanner;
  private readonly rules: RecordRules;

  private constructor(
    private readonly seen: SeenUserIds,
    private readonly options: CsvRowsOptions,
  ) {
    this.scanner = new CsvScanner(
      { record: (record) => this.onRecord(record), failure: (failure) => this.onFailure(failure) },
      { maxRecordBytes: MAX_ROW_BYTES },
    );
    this.rules = new RecordRules(this.scanner, undefined, options.extraRule);
  }

  /** The file's header, once read. */
  get header(): CsvHeader | undefined {
    return this.rules.header;
  }

  /** A reader for one file. */
  static async create(options: CsvRowsOptions = {}): Promise<CsvRows> {
    return new CsvRows(await SeenUserIds.create(), options);
  }

  /** CSV bytes read so far (up to the end of the last record reported). */
  get bytesRead(): number {
    return this.scanner.offset;
  }

  /** The user ids seen so far (for their count and memory). */
  get userIds(): SeenUserIds {
    return this.seen;
  }

  /** Reads a chunk; returns the rows and rejections it completed. Throws CsvFileError for a bad header. */
  push(chunk: Buffer): RowItem[] {
    this.scanner.push(chunk);
    if (!this.presized) this.presize();
    return this.take();
  }

  /** Ends the file; returns the last row or rejection. Throws CsvFileError when the file has no header. */
  end(): RowItem[] {
    this.scanner.end();
    if (!this.header) {
      throw new CsvFileError('file is empty; a header row with a user_id column is required');
    }
    return this.take();
  }

  /**
   * The rows and rejections of the whole file, read from `chunks` as they are consumed. An iterator of its own
   * rather than an async generator: a row already scanned costs one resolved promise, not a generator's round trips.
   */
  rows(chunks: AsyncIterable<Buffer>): AsyncIterableIterator<RowItem> {
    const source = chunks[Symbol.asyncIterator]();
    let items: RowItem[] = [];
    let index = 0;
    let ended = false;
    const refill = async (): Promise<IteratorResult<RowItem>> => {
      while (index >= items.length) {
        if (ended) return { value: undefined, done: true };
        const next = await source.next();
        if (next.done) {
          ended = true;
          items = this.end();
        } else {
          items = this.push(next.value);
        }
        index = 0;
      }
      return { value: items[index++]!, done: false };
    };
    const iterator: AsyncIterableIterator<RowItem> = {
      next: () =>
        index < items.length ? Promise.resolve({ value: items[index++]!, done: false }) : refill(),
      return: async () => {
        ended = true;
        items = [];
        await source.return?.();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  private take(): RowItem[] {
    const items = this.items;
    if (items.length > 0) this.items = [];
    return items;
  }

  private presize(): void {
    if (this.rowsRead < PRESIZE_AFTER_ROWS && this.bytesRead < PRESIZE_AFTER_BYTES) return;
    this.presized = true;
    const estimate = this.options.estimateRows?.(this.rowsRead, this.bytesRead);
    // A little room over the estimate: rows of a file are rarely all the same length.
    if (estimate !== undefined) this.seen.reserve(Math.ceil(estimate * 1.05));
  }

  private onRecord(record: ScannedRecord): void {
    const item = this.rules.classify(record);
    if (item === undefined) return;
    this.rowsRead++;
    if (item.kind === 'row') {
      const firstLine = this.seen.firstLineOf(record.field(this.rules.header!.userIdIndex), record.line);
      this.items.push(firstLine === 0 ? item : this.rules.duplicate(record, firstLine));
    } else {
      this.items.push(item);
    }
  }

  private onFailure(failure: ScanFailure): void {
    const rejection = this.rules.reject(failure);
    this.rowsRead++;
    this.items.push(rejection);
  }
}
