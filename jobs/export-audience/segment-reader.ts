import type { KafkaRecord } from '@platformatic/kafka';
import { EndMarkerRecord, isUserRecord, RECORD_TYPE_HEADER } from '../runtime/audience-records.ts';
import { exportCells } from './csv-cells.ts';
import { openPartitionFetcher, type PartitionBatches } from './partition-fetcher.ts';
import type { MainMessage, ReaderAssignment, ReaderMessage, ReaderStart } from './reader-messages.ts';

/** CSV text a reader gathers before it hands it over: large enough to amortise a message, small for memory. */
const CHUNK_CHARACTERS = 1024 * 1024;
/** Chunks a reader may have handed over and not yet seen written: its share of the export's memory. */
const CHUNKS_IN_FLIGHT = 4;

/** A reader's channel to the main thread (a worker's parentPort, or a MessageChannel port). */
export interface ReaderPort {
  postMessage(message: ReaderMessage, transfer?: ArrayBuffer[]): void;
  on(event: 'message', listener: (message: MainMessage) => void): void;
}

const RECORD_TYPE = Buffer.from(RECORD_TYPE_HEADER);

/** A fetched record's record-type header. */
function recordTypeOf(record: KafkaRecord): string | undefined {
  for (const [key, value] of record.headers)
    if (key !== null && value !== null && key.equals(RECORD_TYPE)) return value.toString('latin1');
  return undefined;
}

/** Messages from the main thread, as promises: the assignment, the header, room to hand over more rows. */
function mainThread(port: ReaderPort) {
  let assigned: (assignment: ReaderAssignment) => void = () => undefined;
  let headerDecided: (names: readonly string[]) => void = () => undefined;
  let written: () => void = () => undefined;
  let inFlight = 0;
  const assignment = new Promise<ReaderAssignment>((resolve) => (assigned = resolve));
  const header = new Promise<readonly string[]>((resolve) => (headerDecided = resolve));
  port.on('message', (message) => {
    if (message.type === 'assign') assigned(message.assignment);
    else if (message.type === 'header') headerDecided(message.names);
    else {
      inFlight--;
      written();
    }
  });
  return {
    assignment,
    header,
    /** Resolves once fewer than CHUNKS_IN_FLIGHT handed-over chunks wait to be written; counts one more. */
    room: async () => {
      while (inFlight >= CHUNKS_IN_FLIGHT) await new Promise<void>((resolve) => (written = resolve));
      inFlight++;
    },
  };
}

/**
 * A segment reader: connects to the topic at once (while the main thread prepares), then reads one import's user
 * records from its assigned partitions, read_committed, from their start offsets until each partition has shown
 * the import's end marker, and hands them to the main thread as CSV lines (the main thread decides the columns
 * and uploads). Records of other imports are skipped on a byte search before any JSON parse. The next fetch is
 * on its way while a response is turned into CSV; a reader stops fetching while the main thread has
 * CHUNKS_IN_FLIGHT of its chunks to write, so memory stays bounded.
 */
export async function runSegmentReader(start: ReaderStart, port: ReaderPort): Promise<void> {
  const main = mainThread(port);
  const fetcher = await openPartitionFetcher(start.connection, start.topic);
  try {
    const assignment = await main.assignment;
    fetcher.seek(new Map(assignment.partitions.map(({ partition, offset }) => [partition, offset])));
    await readAssignment(start.topic, assignment, fetcher.fetch, main, port);
  } finally {
    await fetcher.close();
  }
}

async function readAssignment(
  topic: string,
  assignment: ReaderAssignment,
  fetch: (partitions: readonly number[]) => Promise<PartitionBatches[]>,
  main: ReturnType<typeof mainThread>,
  port: ReaderPort,
): Promise<void> {
  const { importId, userSegmentationId } = assignment;
  const open = new Set(assignment.partitions.map(({ partition }) => partition));
  const cells = exportCells(assignment.formulaEscaping);
  let header: readonly string[] | undefined;
  let recordsScanned = 0;
  let endMarker: EndMarkerRecord | undefined;
  let rows = 0;
  const progress = () => ({ recordsScanned, openPartitions: [...open] });
  let csv = '';
  const handOver = async () => {
    await main.room();
    port.postMessage({ type: 'rows', csv, rows, ...progress() });
    csv = '';
    rows = 0;
  };

  /** Turns one partition's fetched batches into CSV lines, up to the import's end marker. */
  const readBatches = async (partition: number, batches: PartitionBatches['batches']) => {
    for (const batch of batches) {
      for (const record of batch.records) {
        // Records after the import's end marker belong to later imports.
        if (!open.has(partition)) return;
        recordsScanned++;
        const value = record.value;
        if (!value) continue;
        const type = recordTypeOf(record);
        if (type === 'user') {
          const user: unknown = JSON.parse(value.toString('utf8'));
          if (!isUserRecord(user))
            throw new Error(
              `${topic}/${partition}@${batch.firstOffset + BigInt(record.offsetDelta)}: not a user record`,
            );
          if (user.importId !== importId || user.userSegmentationId !== userSegmentationId) continue;
          if (!header) {
            port.postMessage({ type: 'columns', names: Object.keys(user.attributes) });
            header = await main.header;
          }
          csv += cells.rowLine(user.userId, user.attributes, header);
          rows++;
          if (csv.length >= CHUNK_CHARACTERS) await handOver();
        } else if (type === 'end-marker') {
          const marker = EndMarkerRecord.safeParse(JSON.parse(value.toString('utf8')));
          if (!marker.success || marker.data.jobId !== importId) continue;
          endMarker ??= marker.data;
          open.delete(partition);
        }
      }
    }
  };

  let next: Promise<PartitionBatches[]> | undefined = fetch([...open]);
  try {
    while (next) {
      const fetched = await next;
      // Fetch on while this response becomes CSV; records past a partition's end marker are ignored.
      next = open.size > 0 ? fetch([...open]) : undefined;
      const scannedBefore = recordsScanned;
      for (const { partition, batches } of fetched) await readBatches(partition, batches);
      if (open.size === 0) break;
      if (rows > 0) await handOver();
      else if (recordsScanned > scannedBefore) port.postMessage({ type: 'progress', ...progress() });
    }
  } finally {
    // A fetch still on its way when the read ends is dropped: closing the fetcher cancels it.
    next?.catch(() => undefined);
  }
  if (rows > 0) await handOver();
  port.postMessage({ type: 'done', endMarker: endMarker!, ...progress() });
}
