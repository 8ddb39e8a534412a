import {
  EndMarkerRecord,
  isUserRecord,
  RECORD_TYPE_HEADER,
  type UserRecord,
} from '../runtime/audience-records.ts';
import { bytesAt } from './bytes-at.ts';
import { exportCells } from './csv-cells.ts';
import { openPartitionFetcher, type PartitionBatches } from './partition-fetcher.ts';
import type { MainMessage, ReaderAssignment, ReaderMessage, ReaderStart } from './reader-messages.ts';
import { forEachRecord, type RecordBatch, type RecordView } from './record-batches.ts';
import { CsvChunk, LineOutcome, UserLineWriter } from './user-line-writer.ts';

/** CSV bytes a reader gathers before it hands them over: large enough to amortise a message, small for memory. */
const CHUNK_BYTES = 1024 * 1024;
/** Room of a new chunk: a response's batch or two past CHUNK_BYTES without growing. */
const CHUNK_CAPACITY = 2 * CHUNK_BYTES;
/** Chunks a reader may have handed over and not yet seen written: its share of the export's memory. */
const CHUNKS_IN_FLIGHT = 4;

/** A reader's channel to the main thread (a worker's parentPort, or a MessageChannel port). */
export interface ReaderPort {
  postMessage(message: ReaderMessage, transfer?: ArrayBuffer[]): void;
  on(event: 'message', listener: (message: MainMessage) => void): void;
}

const RECORD_TYPE = Buffer.from(RECORD_TYPE_HEADER);
const USER_TYPE = Buffer.from('user');

/** Whether a record's record-type header is `user` (compared as bytes: this runs once per record). */
function isUserType(batch: RecordBatch, view: RecordView): boolean {
  return (
    view.headerEnd - view.headerStart === USER_TYPE.length &&
    bytesAt(batch.records, view.headerStart, USER_TYPE)
  );
}

/** A record's record-type header, or undefined. */
function recordTypeOf(batch: RecordBatch, view: RecordView): string | undefined {
  return view.headerStart < 0
    ? undefined
    : batch.records.toString('latin1', view.headerStart, view.headerEnd);
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
 * the import's end marker, and hands them to the main thread as CSV bytes (the main thread decides the columns
 * and uploads). A record with the import's own shape becomes its CSV line from its bytes (user-line-writer.ts);
 * any other goes through JSON.parse. The next fetch is
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
  const lines = new UserLineWriter(importId, userSegmentationId, assignment.formulaEscaping);
  let header: readonly string[] | undefined;
  let recordsScanned = 0;
  let endMarker: EndMarkerRecord | undefined;
  let rows = 0;
  const progress = () => ({ recordsScanned, openPartitions: [...open] });
  const chunk = new CsvChunk(CHUNK_CAPACITY);
  const handOver = async () => {
    await main.room();
    const csv = chunk.take();
    port.postMessage({ type: 'rows', csv, rows, ...progress() }, [csv.buffer as ArrayBuffer]);
    rows = 0;
  };

  /** A user record of the import (a record of another import: undefined); anything else fails the read. */
  const userOf = (partition: number, batch: RecordBatch, view: RecordView): UserRecord | undefined => {
    const user: unknown = JSON.parse(batch.records.toString('utf8', view.valueStart, view.valueEnd));
    if (!isUserRecord(user))
      throw new Error(
        `${topic}/${partition}@${batch.firstOffset + BigInt(view.offsetDelta)}: not a user record`,
      );
    return user.importId === importId && user.userSegmentationId === userSegmentationId ? user : undefined;
  };

  /** The attribute names of the import's first user record in a batch, if it has one. */
  const firstAttributeNames = (partition: number, batch: RecordBatch, skipBelow: number) => {
    let names: string[] | undefined;
    forEachRecord(batch, RECORD_TYPE, (view) => {
      if (names || !open.has(partition) || view.offsetDelta < skipBelow || view.valueEnd < 0) return;
      if (recordTypeOf(batch, view) !== 'user') return;
      const user = userOf(partition, batch, view);
      if (user) names = Object.keys(user.attributes);
    });
    return names;
  };

  /** Turns one partition's fetched batches into CSV lines, up to the import's end marker. */
  const readBatches = async ({ partition, fromOffset, batches }: PartitionBatches) => {
    for (const batch of batches) {
      // A batch may begin before the offset asked for: its earlier records were read before, or are not ours.
      const skipBelow = batch.firstOffset < fromOffset ? Number(fromOffset - batch.firstOffset) : 0;
      if (!header) {
        const names = firstAttributeNames(partition, batch, skipBelow);
        if (names) {
          port.postMessage({ type: 'columns', names });
          header = await main.header;
          lines.setColumns(header);
        }
      }
      const columns = header ?? [];
      forEachRecord(batch, RECORD_TYPE, (view) => {
        // Records after the import's end marker belong to later imports.
        if (!open.has(partition) || view.offsetDelta < skipBelow) return;
        recordsScanned++;
        if (view.valueEnd < 0) return;
        if (isUserType(batch, view)) {
          const outcome = lines.write(batch.records, view.valueStart, view.valueEnd, chunk);
          if (outcome === LineOutcome.Written) rows++;
          if (outcome !== LineOutcome.Unknown) return;
          const user = userOf(partition, batch, view);
          if (!user) return;
          chunk.writeText(cells.rowLine(user.userId, user.attributes, columns));
          rows++;
        } else if (recordTypeOf(batch, view) === 'end-marker') {
          const text = batch.records.toString('utf8', view.valueStart, view.valueEnd);
          const marker = EndMarkerRecord.safeParse(JSON.parse(text));
          if (!marker.success || marker.data.jobId !== importId) return;
          endMarker ??= marker.data;
          open.delete(partition);
        }
      });
      if (chunk.length >= CHUNK_BYTES) await handOver();
    }
  };

  let next: Promise<PartitionBatches[]> | undefined = fetch([...open]);
  try {
    while (next) {
      const fetched = await next;
      // Fetch on while this response becomes CSV; records past a partition's end marker are ignored.
      next = open.size > 0 ? fetch([...open]) : undefined;
      const scannedBefore = recordsScanned;
      for (const answer of fetched) await readBatches(answer);
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
