import type { CsvScanner, ScanFailure, ScannedRecord } from './csv-scanner.ts';
import {
  CsvFileError,
  type CsvHeader,
  describeScanFailure,
  parseHeader,
  type RowRejection,
  rejectRecord,
  rejectScanFailure,
  type ValidRow,
  validateRecord,
} from './row-rules.ts';

/**
 * The rules every record of a file goes through, in one place for every way the file is read (whole, in blocks, in
 * worker threads, in shards): the header (the first record, or given when reading a range), then per record the row
 * rules and the consumer's extra rule. The duplicate rule comes after these, where the user ids of the whole file
 * are known.
 */
export class RecordRules {
  constructor(
    private readonly scanner: CsvScanner,
    /** The file's header when reading a range of it; else the first record is the header. */
    public header: CsvHeader | undefined,
    private readonly extraRule: ((row: ValidRow) => string | undefined) | undefined,
  ) {
    if (header) scanner.expectFields(header.columns.length);
  }

  /**
   * A record as a valid row or a rejection; undefined for the header (which it reads: a bad header throws a
   * CsvFileError).
   */
  classify(record: ScannedRecord): ValidRow | RowRejection | undefined {
    const { header } = this;
    if (!header) {
      this.header = parseHeader(record);
      this.scanner.expectFields(this.header.columns.length);
      return undefined;
    }
    const row = validateRecord(header, record);
    if (row.kind === 'rejected') return row;
    const problem = this.extraRule?.(row);
    return problem === undefined ? row : rejectRecord(record, '', problem);
  }

  /** A record the scanner could not form, as a rejection (a bad header throws a CsvFileError). */
  reject(failure: ScanFailure): RowRejection {
    if (!this.header) throw new CsvFileError(`header row: ${describeScanFailure(failure, undefined)}`);
    return rejectScanFailure(failure, this.header);
  }

  /** The rejection of a valid row whose user id was seen before, on `firstLine`. */
  duplicate(record: ScannedRecord, firstLine: number): RowRejection {
    const { columns, userIdIndex } = this.header!;
    return rejectRecord(record, columns[userIdIndex]!, `duplicate of line ${firstLine}`);
  }
}
