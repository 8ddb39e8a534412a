import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { EndMarkerRecord } from '../runtime/audience-records.ts';
import type { FormulaEscaping } from './csv-cells.ts';
import type { ReaderConnection } from './kafka-connection.ts';
import type { MainMessage, ReaderMessage, ReaderStart } from './reader-messages.ts';

/** Which import's records to read, from where, and how long to wait for its end markers. */
export interface SegmentSource {
  readonly partitions: number;
  readonly importId: string;
  readonly userSegmentationId: string;
  /** Where the import's records start per partition; undefined reads every partition from the beginning. */
  readonly startOffsets: readonly number[] | undefined;
  /** Time without any record read after which the missing end markers fail the read. */
  readonly endMarkerTimeoutMs: number;
  readonly formulaEscaping: FormulaEscaping;
}

/** Where a read stands, for progress lines and the EndMarkerNotFound message. */
export interface SegmentProgress {
  rowsRead: number;
  /** Records read of any import, the segment's own included: the cost of reading it. */
  recordsScanned: number;
  partitionsEnded: number;
  /** Partitions still without the import's end marker. */
  openPartitions: number[];
}

/** Where the CSV goes: the header line once the columns are known, then rows; each resolves when written. */
export interface SegmentCsvSink {
  header(names: readonly string[]): Promise<void>;
  rows(csv: Uint8Array): Promise<void>;
}

/** Thrown when a partition shows no end marker of the import for `endMarkerTimeoutMs`. */
export class EndMarkersMissing extends Error {
  override readonly name = 'EndMarkersMissing';
  readonly progress: SegmentProgress;
  readonly idleMs: number;
  constructor(progress: SegmentProgress, idleMs: number) {
    super(`no end marker on partition(s) ${progress.openPartitions.join(', ')}`);
    this.progress = progress;
    this.idleMs = idleMs;
  }
}

/** The worker module: the bundle's own file beside the Fargate entry, or the TypeScript source under tsx. */
function readerModule(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('./segment-worker.ts', import.meta.url)
    : new URL('./export-segment-reader.mjs', import.meta.url);
}

/** Partitions dealt round-robin to `readers` readers, each with its start offset. */
export function assignPartitions(
  partitions: number,
  readers: number,
  startOffsets: readonly number[] | undefined,
): { partition: number; offset: number }[][] {
  const shares = Array.from(
    { length: Math.max(1, Math.min(readers, partitions)) },
    () => [] as { partition: number; offset: number }[],
  );
  for (let partition = 0; partition < partitions; partition++)
    shares[partition % shares.length]!.push({ partition, offset: startOffsets?.[partition] ?? 0 });
  return shares;
}

/** Reader threads started ahead of the read: they load, connect and read the topic's metadata meanwhile. */
export interface SegmentReaders {
  readonly workers: readonly Worker[];
  /** Rejects with the first reader's failure (an error thrown in it, or an exit not asked for); never resolves. */
  readonly failed: Promise<never>;
  /** Stops readers (the given ones, or all: at the end of a read, or when the export fails before it). */
  close(workers?: readonly Worker[]): Promise<void>;
}

/** Starts `count` reader threads on `topic` (by default one per CPU; fewer are used when the topic has fewer partitions). */
export function startSegmentReaders(
  connection: ReaderConnection,
  topic: string,
  count: number = availableParallelism(),
): SegmentReaders {
  const start: ReaderStart = { connection, topic };
  const workers = Array.from(
    { length: Math.max(1, count) },
    () => new Worker(readerModule(), { workerData: start }),
  );
  const stopping = new Set<Worker>();
  // Listening from the start: a reader that fails while the main thread still prepares must not go unheard.
  const failed = new Promise<never>((_, reject) => {
    workers.forEach((worker, reader) => {
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (code !== 0 && !stopping.has(worker))
          reject(new Error(`export reader ${reader} stopped with exit code ${code}`));
      });
    });
  });
  failed.catch(() => undefined);
  return {
    workers,
    failed,
    close: async (which = workers) => {
      for (const worker of which) stopping.add(worker);
      await Promise.all(which.map((worker) => worker.terminate()));
    },
  };
}

/**
 * Reads one import's records of one segmentation with the started readers, each fetching a share of the
 * partitions (@platformatic/kafka, read_committed) and turning the records into CSV lines, until every partition
 * has shown the import's end marker; the lines go to `sink` as they come (the header first, from the first
 * record's attribute names). A reader waits until its lines are written before fetching more, so memory stays
 * bounded. Returns the import's end marker. Fails with EndMarkersMissing when no reader reads a record for
 * `endMarkerTimeoutMs` while partitions are still open, and with a reader's error when one fails. Closes the
 * readers.
 */
export async function readSegmentCsv(
  readers: SegmentReaders,
  source: SegmentSource,
  sink: SegmentCsvSink,
  progress: SegmentProgress = { rowsRead: 0, recordsScanned: 0, partitionsEnded: 0, openPartitions: [] },
): Promise<EndMarkerRecord> {
  const shares = assignPartitions(source.partitions, readers.workers.length, source.startOffsets);
  const workers = readers.workers.slice(0, shares.length);
  // More readers than partitions: the others are not needed.
  void readers.close(readers.workers.slice(shares.length));
  const scanned = shares.map(() => 0);
  const open = shares.map((share) => share.map(({ partition }) => partition));
  const update = (reader: number, recordsScanned: number, openPartitions: readonly number[]) => {
    scanned[reader] = recordsScanned;
    open[reader] = [...openPartitions];
    progress.recordsScanned = scanned.reduce((a, b) => a + b, 0);
    progress.openPartitions = open.flat().sort((a, b) => a - b);
    progress.partitionsEnded = source.partitions - progress.openPartitions.length;
  };
  update(0, 0, open[0]!);

  let header: Promise<void> | undefined;
  // Rows are written one message at a time, in arrival order, after the header.
  let writing: Promise<void> = Promise.resolve();
  let endMarker: EndMarkerRecord | undefined;
  let lastReadAt = Date.now();
  let idleCheck: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      let done = 0;
      const fail = (error: unknown) => reject(error);
      readers.failed.catch(fail);
      idleCheck = setInterval(
        () => {
          const idleMs = Date.now() - lastReadAt;
          if (idleMs > source.endMarkerTimeoutMs) fail(new EndMarkersMissing({ ...progress }, idleMs));
        },
        Math.min(1000, source.endMarkerTimeoutMs / 4),
      );
      workers.forEach((worker, reader) => {
        const tell = (message: MainMessage) => worker.postMessage(message);
        worker.on('message', (message: ReaderMessage) => {
          if (message.type === 'columns') {
            if (!header) {
              header = sink.header(message.names);
              header.catch(fail);
              writing = writing.then(() => header);
              for (const each of workers) each.postMessage({ type: 'header', names: message.names });
            }
            return;
          }
          lastReadAt = Date.now();
          update(reader, message.recordsScanned, message.openPartitions);
          if (message.type === 'rows') {
            progress.rowsRead += message.rows;
            writing = writing.then(() => sink.rows(message.csv));
            writing.then(() => tell({ type: 'written' }), fail);
          } else if (message.type === 'done') {
            endMarker ??= message.endMarker;
            if (++done === workers.length) writing.then(() => resolve(), fail);
          }
        });
        tell({
          type: 'assign',
          assignment: {
            partitions: shares[reader]!,
            importId: source.importId,
            userSegmentationId: source.userSegmentationId,
            formulaEscaping: source.formulaEscaping,
          },
        });
      });
    });
    return endMarker!;
  } finally {
    clearInterval(idleCheck);
    await readers.close();
  }
}
