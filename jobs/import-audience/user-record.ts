import type { UserRecord } from '../runtime/audience-records.ts';
import type { ValidRow } from './row-rules.ts';

/** Largest record value produced; the broker's default limit is 1 MB per record batch. */
export const MAX_RECORD_BYTES = 900 * 1024;
/** Room in a record for what is not the row: JSON keys, the two ids (escaped), the key and headers. */
const RECORD_FIXED_BYTES = 4096;
/** Bytes a record costs beside its key and value (headers, framing), roughly. */
const RECORD_OVERHEAD_BYTES = 64;

/** Which import and segment the rows of a file go to. */
export interface RecordLabels {
  readonly importId: string;
  readonly userSegmentationId: string;
}

/** The Kafka record value (JSON text) of a valid row. */
export function userRecordJson(row: ValidRow, labels: RecordLabels): string {
  const value: UserRecord = {
    type: 'user',
    userSegmentationId: labels.userSegmentationId,
    userId: row.userId,
    attributes: row.attributes,
    importId: labels.importId,
  };
  return JSON.stringify(value);
}

/**
 * Why a row cannot be one Kafka record (JSON escaping can grow a 256 KiB row past what one record may hold), or
 * undefined; only rows long enough to pass the limit with every byte escaped (6 bytes at most) are encoded here.
 */
export function recordSizeProblem(row: ValidRow, labels: RecordLabels): string | undefined {
  if (row.rawBytes * 6 + RECORD_FIXED_BYTES <= MAX_RECORD_BYTES) return undefined;
  const size =
    Buffer.byteLength(userRecordJson(row, labels)) + Buffer.byteLength(row.userId) + RECORD_OVERHEAD_BYTES;
  return size > MAX_RECORD_BYTES
    ? `row encodes to a ${size}-byte Kafka record, more than ${MAX_RECORD_BYTES}`
    : undefined;
}
