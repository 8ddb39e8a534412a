import { compressionsAlgorithmsByBitmask, IS_COMPRESSED, IS_CONTROL } from '@platformatic/kafka';
import { bytesAt } from './bytes-at.ts';

/**
 * Kafka record batches (message format v2, KIP-98) read straight from the bytes a fetch returned, without an object
 * per record: the export reads millions of records and keeps a few bytes of each. Layout of a batch: baseOffset
 * int64, batchLength int32 (bytes after this field), partitionLeaderEpoch int32, magic int8, crc uint32,
 * attributes int16, lastOffsetDelta int32, baseTimestamp int64, maxTimestamp int64, producerId int64,
 * producerEpoch int16, baseSequence int32, record count int32, then the records (compressed as a whole when the
 * attributes say so).
 */
const BATCH_LENGTH_AT = 8;
const MAGIC_AT = 16;
const ATTRIBUTES_AT = 21;
const LAST_OFFSET_DELTA_AT = 23;
const PRODUCER_ID_AT = 43;
const RECORD_COUNT_AT = 57;
const RECORDS_AT = 61;
/** baseOffset and batchLength come before what batchLength counts. */
const LOG_OVERHEAD = 12;

/** What the export needs of one batch's header. */
export interface BatchHeader {
  readonly firstOffset: bigint;
  readonly lastOffsetDelta: number;
  readonly attributes: number;
  readonly producerId: bigint;
  /** A control batch's marker: 0 ends an aborted transaction, 1 a committed one; -1 for data batches. */
  readonly controlType: number;
}

/** One batch: its header and its records' bytes (decompressed), `count` records from `start`. */
export interface RecordBatch extends BatchHeader {
  readonly records: Buffer;
  readonly start: number;
  readonly count: number;
}

/** Where a record's parts are in its batch's bytes (offsets into `RecordBatch.records`). */
export interface RecordView {
  offsetDelta: number;
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  /** -1 for a null value. */
  valueEnd: number;
  /** The value of the header named as asked (see forEachRecord), or -1 when the record has none. */
  headerStart: number;
  headerEnd: number;
}

/** Reads Kafka's zig-zag varint at `at[0]` and moves `at[0]` past it. */
function varint(bytes: Buffer, at: Int32Array): number {
  let position = at[0]!;
  let value = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = bytes[position++]!;
    value |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80 && shift < 35);
  at[0] = position;
  return (value >>> 1) ^ -(value & 1);
}

/**
 * The whole batches in `bytes` (a partition's record set from a fetch), in order. A fetch may end inside a batch
 * (the broker cuts at the byte limit): that part is left for the next fetch, which starts at its offset.
 */
export function readRecordBatches(bytes: Buffer): RecordBatch[] {
  const batches: RecordBatch[] = [];
  let base = 0;
  while (bytes.length - base >= RECORDS_AT) {
    const end = base + LOG_OVERHEAD + bytes.readInt32BE(base + BATCH_LENGTH_AT);
    if (end > bytes.length) break;
    const magic = bytes.readInt8(base + MAGIC_AT);
    if (magic !== 2)
      throw new Error(
        `record batch at offset ${bytes.readBigInt64BE(base)}: message format v${magic}, expected v2`,
      );
    const attributes = bytes.readInt16BE(base + ATTRIBUTES_AT);
    const compression = attributes & IS_COMPRESSED;
    let records = bytes;
    let start = base + RECORDS_AT;
    if (compression !== 0) {
      const algorithm = compressionsAlgorithmsByBitmask[compression];
      if (!algorithm) throw new Error(`record batch compressed with unknown codec ${compression}`);
      records = algorithm.decompressSync(bytes.subarray(start, end));
      start = 0;
    }
    const batch = {
      firstOffset: bytes.readBigInt64BE(base),
      lastOffsetDelta: bytes.readInt32BE(base + LAST_OFFSET_DELTA_AT),
      attributes,
      producerId: bytes.readBigInt64BE(base + PRODUCER_ID_AT),
      controlType: -1,
      records,
      start,
      count: bytes.readInt32BE(base + RECORD_COUNT_AT),
    };
    if (attributes & IS_CONTROL && batch.count > 0) {
      // A control record's key: version int16, type int16.
      let type = -1;
      forEachRecord(batch, undefined, (view) => {
        if (view.keyEnd - view.keyStart >= 4) type = records.readInt16BE(view.keyStart + 2);
      });
      batch.controlType = type;
    }
    batches.push(batch);
    base = end;
  }
  return batches;
}

/**
 * Calls `visit` for each record of a batch with where its key, value and the value of its header `headerName`
 * are (the view is reused: read it in the call). Records are laid out as: length, attributes int8, timestampDelta,
 * offsetDelta, keyLength, key, valueLength, value, header count, then each header's key length, key, value length,
 * value (lengths are varints, -1 for null).
 */
export function forEachRecord(
  batch: RecordBatch,
  headerName: Buffer | undefined,
  visit: (view: RecordView) => void,
): void {
  const bytes = batch.records;
  const at = new Int32Array([batch.start]);
  const view: RecordView = {
    offsetDelta: 0,
    keyStart: 0,
    keyEnd: 0,
    valueStart: 0,
    valueEnd: -1,
    headerStart: -1,
    headerEnd: -1,
  };
  for (let i = 0; i < batch.count; i++) {
    const length = varint(bytes, at);
    const next = at[0]! + length;
    at[0]! += 1; // attributes
    varint(bytes, at); // timestampDelta
    view.offsetDelta = varint(bytes, at);
    const keyLength = varint(bytes, at);
    view.keyStart = at[0]!;
    view.keyEnd = view.keyStart + Math.max(0, keyLength);
    at[0] = view.keyEnd;
    const valueLength = varint(bytes, at);
    view.valueStart = at[0]!;
    view.valueEnd = valueLength < 0 ? -1 : view.valueStart + valueLength;
    at[0] = view.valueStart + Math.max(0, valueLength);
    view.headerStart = -1;
    view.headerEnd = -1;
    for (let headers = varint(bytes, at); headers > 0; headers--) {
      const nameLength = varint(bytes, at);
      const name: number = at[0]!;
      at[0] = name + Math.max(0, nameLength);
      const valueLength = varint(bytes, at);
      const value: number = at[0]!;
      at[0] = value + Math.max(0, valueLength);
      if (
        headerName &&
        valueLength >= 0 &&
        nameLength === headerName.length &&
        bytesAt(bytes, name, headerName)
      ) {
        view.headerStart = value;
        view.headerEnd = value + valueLength;
      }
    }
    visit(view);
    at[0] = next;
  }
}
