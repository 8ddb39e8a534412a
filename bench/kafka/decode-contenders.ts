// What the export's readers pay per record, without Kafka: 200,000 records of the import's shape in record batches
// built by @platformatic/kafka, decoded (a) by the library (an object per record, key, value and header Buffers)
// and (b) by the export's own reading of the batches (jobs/export-audience/record-batches.ts), which makes nothing
// per record, each then JSON-parsing the value and writing the CSV line; and (c) as the export does: batches read
// from the bytes and each line written from the value's bytes (jobs/export-audience/user-line-writer.ts).
import { createRecordsBatch, Reader, readRecordsBatches } from '@platformatic/kafka';
import { exportCells } from '../../jobs/export-audience/csv-cells.ts';
import { forEachRecord, readRecordBatches } from '../../jobs/export-audience/record-batches.ts';
import { CsvChunk, LineOutcome, UserLineWriter } from '../../jobs/export-audience/user-line-writer.ts';
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
      // The import's key order (user-record.ts), attributes in the header's: what the export reads from the bytes.
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

function viaScan(bytes: Buffer): number {
  let out = 0;
  for (const batch of readRecordBatches(bytes))
    forEachRecord(batch, recordType, (view) => {
      if (
        view.headerStart < 0 ||
        batch.records.toString('latin1', view.headerStart, view.headerEnd) !== 'user'
      )
        return;
      const user = JSON.parse(batch.records.toString('utf8', view.valueStart, view.valueEnd));
      out += cells.rowLine(user.userId, user.attributes, columns).length;
    });
  return out;
}

function viaBytes(bytes: Buffer): number {
  const lines = new UserLineWriter('bench-import', 'bench', 'attributes');
  lines.setColumns(columns);
  // Chunks as a reader hands them over (1 MiB in buffers of 2 MiB); the CSV is ASCII, so bytes = characters.
  const chunk = new CsvChunk(2 * 1024 * 1024);
  let out = 0;
  for (const batch of readRecordBatches(bytes)) {
    forEachRecord(batch, recordType, (view) => {
      if (lines.write(batch.records, view.valueStart, view.valueEnd, chunk) !== LineOutcome.Written)
        throw new Error('a record left to JSON.parse');
    });
    if (chunk.length >= 1024 * 1024) out += chunk.take().length;
  }
  return out + chunk.length;
}

/** Median CPU µs per record of each way over five rounds (all must write the same CSV). */
export function runDecodeContenders(): {
  libraryMicrosecondsPerRecord: number;
  scanMicrosecondsPerRecord: number;
  bytesMicrosecondsPerRecord: number;
} {
  const bytes = batches();
  const rounds = { library: [] as number[], scan: [] as number[], bytes: [] as number[] };
  for (let round = 0; round < 5; round++) {
    for (const [name, decode] of [
      ['library', viaLibrary],
      ['scan', viaScan],
      ['bytes', viaBytes],
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
    bytesMicrosecondsPerRecord: median(rounds.bytes),
  };
}
