// What the export's readers pay per record, without Kafka: 200,000 records of the import's shape in record batches
// built by @platformatic/kafka, decoded (a) by the library (an object per record, key, value and header Buffers)
// and (b) by a scan of the raw bytes that makes nothing per record; each then JSON-parses the value and writes
// the CSV line. (b) is not in the product: it is the measured case for decoding record batches by hand.
import { createRecordsBatch, Reader, readRecordsBatches } from '@platformatic/kafka';
import { exportCells } from '../../jobs/export-audience/csv-cells.ts';
import { RECORD_TYPE_HEADER } from '../../jobs/runtime/audience-records.ts';
import { round2 } from '../bench-env.ts';

const RECORDS = 200_000;
const cells = exportCells('attributes');
const columns = ['email', 'plan', 'country'];
const recordType = Buffer.from(RECORD_TYPE_HEADER);

function batches(): Buffer {
  const built: Buffer[] = [];
  for (let b = 0; b < RECORDS / 1000; b++) {
    const messages = Array.from({ length: 1000 }, (_, i) => {
      const n = b * 1000 + i;
      const attributes = { email: `user${n}@example.com`, plan: 'pro', country: 'jp' };
      const value = {
        type: 'user',
        userSegmentationId: 'bench',
        userId: `user-${n}`,
        attributes,
        importId: 'bench-import',
      };
      return {
        topic: 'bench',
        key: Buffer.from(value.userId),
        value: Buffer.from(JSON.stringify(value)),
        headers: new Map([[recordType, Buffer.from('user')]]),
      };
    });
    built.push(createRecordsBatch(messages, { compression: 'none' }).buffer);
  }
  return Buffer.concat(built);
}

function viaLibrary(bytes: Buffer): number {
  let out = 0;
  for (const batch of readRecordsBatches(Reader.from(bytes)))
    for (const record of batch.records) {
      let type: string | undefined;
      for (const [key, value] of record.headers)
        if (key && value && key.equals(recordType)) type = value.toString('latin1');
      if (type !== 'user') continue;
      const user = JSON.parse(record.value!.toString('utf8'));
      out += cells.rowLine(user.userId, user.attributes, columns).length;
    }
  return out;
}

/** Kafka's zig-zag varint at `at.position`, advancing it. */
function varint(bytes: Buffer, at: { position: number }): number {
  let value = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = bytes[at.position++]!;
    value |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return (value >>> 1) ^ -(value & 1);
}

function viaScan(bytes: Buffer): number {
  let out = 0;
  const at = { position: 0 };
  while (at.position < bytes.length) {
    const base = at.position;
    const batchLength = bytes.readInt32BE(base + 8);
    const count = bytes.readInt32BE(base + 57);
    at.position = base + 61;
    for (let i = 0; i < count; i++) {
      varint(bytes, at); // record length
      at.position++; // attributes
      varint(bytes, at); // timestamp delta
      varint(bytes, at); // offset delta
      const keyLength = varint(bytes, at);
      if (keyLength > 0) at.position += keyLength;
      const valueLength = varint(bytes, at);
      const valueStart = at.position;
      at.position += Math.max(0, valueLength);
      let isUser = false;
      for (let headers = varint(bytes, at); headers > 0; headers--) {
        const nameLength = varint(bytes, at);
        const name = at.position;
        at.position += nameLength;
        const length = varint(bytes, at);
        const start = at.position;
        at.position += length;
        if (
          nameLength === recordType.length &&
          bytes.compare(recordType, 0, nameLength, name, name + nameLength) === 0
        )
          isUser = bytes.toString('latin1', start, start + length) === 'user';
      }
      if (!isUser) continue;
      const user = JSON.parse(bytes.toString('utf8', valueStart, valueStart + valueLength));
      out += cells.rowLine(user.userId, user.attributes, columns).length;
    }
    at.position = base + 12 + batchLength;
  }
  return out;
}

/** Median CPU µs per record of each way over five rounds (the two must write the same CSV). */
export function runDecodeContenders(): {
  libraryMicrosecondsPerRecord: number;
  scanMicrosecondsPerRecord: number;
} {
  const bytes = batches();
  const rounds = { library: [] as number[], scan: [] as number[] };
  for (let round = 0; round < 5; round++) {
    for (const [name, decode] of [
      ['library', viaLibrary],
      ['scan', viaScan],
    ] as const) {
      const cpu = process.cpuUsage();
      const written = decode(bytes);
      const used = process.cpuUsage(cpu);
      if (written !== viaScan(bytes)) throw new Error(`${name}: ${written} CSV characters differ`);
      rounds[name].push((used.user + used.system) / RECORDS);
    }
  }
  const median = (values: number[]) => round2(values.sort((a, b) => a - b)[2]!);
  return {
    libraryMicrosecondsPerRecord: median(rounds.library),
    scanMicrosecondsPerRecord: median(rounds.scan),
  };
}
