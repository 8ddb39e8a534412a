import type { EndMarkerRecord } from '../runtime/audience-records.ts';
import type { FormulaEscaping } from './csv-cells.ts';
import type { ReaderConnection } from './kafka-connection.ts';

/** What a segment reader (a worker thread) starts with: it connects and reads the topic's metadata at once. */
export interface ReaderStart {
  readonly connection: ReaderConnection;
  readonly topic: string;
}

/** What a started reader is then given: its partitions of the topic and the import to find there. */
export interface ReaderAssignment {
  /** This reader's partitions, each with the offset to start at. */
  readonly partitions: readonly { partition: number; offset: number }[];
  readonly importId: string;
  readonly userSegmentationId: string;
  readonly formulaEscaping: FormulaEscaping;
}

/** Where a reader stands, sent with every message that follows a fetch. */
export interface ReaderProgress {
  /** Records read of any import since the start (the segment's own included). */
  readonly recordsScanned: number;
  /** This reader's partitions still without the import's end marker. */
  readonly openPartitions: readonly number[];
}

/** Reader → main thread. */
export type ReaderMessage =
  /** The attribute names of the first user record this reader found: a proposal for the header. */
  | { readonly type: 'columns'; readonly names: readonly string[] }
  /** CSV lines of `rows` rows (UTF-8, LF-terminated, header order), transferred. */
  | ({ readonly type: 'rows'; readonly csv: Uint8Array; readonly rows: number } & ReaderProgress)
  /** A fetch returned records but no rows of the segment (other imports' records, end markers). */
  | ({ readonly type: 'progress' } & ReaderProgress)
  /** Every partition of the reader has shown the import's end marker. */
  | ({ readonly type: 'done'; readonly endMarker: EndMarkerRecord } & ReaderProgress);

/** Main thread → reader. */
export type MainMessage =
  /** What to read (sent once, first). */
  | { readonly type: 'assign'; readonly assignment: ReaderAssignment }
  /** The export's attribute columns, in order (decided once, from the first proposal). */
  | { readonly type: 'header'; readonly names: readonly string[] }
  /** One `rows` message has been written to the upload: the reader may send another. */
  | { readonly type: 'written' };
