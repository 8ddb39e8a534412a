import { randomUUID } from 'node:crypto';
import type { ConsumerGlobalConfig, Message } from '@confluentinc/kafka-javascript';
import { EndMarkerRecord, isUserRecord, recordType, type UserRecord } from '../runtime/audience-records.ts';
import {
  connectNativeConsumer,
  disconnectNative,
  type KafkaClient,
  nativeCall,
} from '../runtime/kafka-client.ts';
import type { StartOffsets } from '../runtime/start-offsets.ts';

/** Records handed over per consume call: enough to amortise the call, small enough to keep memory flat. */
const CONSUME_BATCH = 5000;
/** How long a consume call waits for a record before it returns what it has (librdkafka's default: a second). */
const CONSUME_WAIT_MS = 50;
/** Bound of librdkafka's prefetch queue (KiB), so a slow upload never piles fetched records up in memory. */
const PREFETCH_KIBIBYTES = 32 * 1024;

/** How the export's consumer reads: read_committed, no commits, a bounded prefetch that refills promptly. */
export const SEGMENT_CONSUMER_SETTINGS = {
  'enable.auto.commit': false,
  'isolation.level': 'read_committed',
  'queued.max.messages.kbytes': PREFETCH_KIBIBYTES,
  // With the prefetch queue full, fetch again soon after it drains (librdkafka waits a second by default).
  'fetch.queue.backoff.ms': 20,
  // Smaller fetches than librdkafka's defaults (50 MB, 100,000 records per partition queued): as fast, 50 MB less RSS.
  'fetch.max.bytes': 8 * 1024 * 1024,
  'queued.min.messages': 20_000,
} as const satisfies ConsumerGlobalConfig;

/** Which import's records to read, from where, and how long to wait for its end markers. */
export interface SegmentSource {
  readonly topic: string;
  readonly partitions: number;
  readonly importId: string;
  readonly userSegmentationId: string;
  /** Where the import's records start per partition; undefined reads every partition from the beginning. */
  readonly startOffsets: StartOffsets | undefined;
  /** Time without any record read after which the missing end markers fail the read. */
  readonly endMarkerTimeoutMs: number;
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

/** Thrown when a partition shows no end marker of the import for `endMarkerTimeoutMs`. */
export class EndMarkersMissing extends Error {
  override readonly name = 'EndMarkersMissing';
  constructor(
    readonly progress: SegmentProgress,
    readonly idleMs: number,
  ) {
    super(`no end marker on partition(s) ${progress.openPartitions.join(', ')}`);
  }
}

/**
 * Reads one import's user records of one segmentation, read_committed, from its start offsets up to its end
 * marker on every partition, in batches. The next batch is fetched while the caller handles the current one.
 * Returns the import's end marker. Records of other imports between the start offsets and the markers are
 * skipped (their cost is what the partitions' interleaving forces).
 */
export async function* readSegment(
  kafka: KafkaClient,
  source: SegmentSource,
  progress: SegmentProgress = { rowsRead: 0, recordsScanned: 0, partitionsEnded: 0, openPartitions: [] },
): AsyncGenerator<UserRecord[], EndMarkerRecord> {
  const { topic, partitions, importId, userSegmentationId } = source;
  const open = new Set(Array.from({ length: partitions }, (_, partition) => partition));
  progress.openPartitions = [...open];
  const consumer = await connectNativeConsumer(kafka, {
    // Assigned, never subscribed: the group id is required but no group is joined and nothing is committed.
    'group.id': `audience-export-${randomUUID()}`,
    ...SEGMENT_CONSUMER_SETTINGS,
  });
  consumer.setDefaultConsumeTimeout(CONSUME_WAIT_MS);
  const consume = () =>
    nativeCall<Message[]>('consume', (done) => consumer.consume(CONSUME_BATCH, done)).catch(
      (error: unknown) => error as Error,
    );
  // A quick test on the raw bytes skips other imports' records without parsing them; a match is still checked.
  const importNeedle = Buffer.from(`"importId":${JSON.stringify(importId)}`);
  let endMarker: EndMarkerRecord | undefined;
  let pending: Promise<Message[] | Error> | undefined;
  try {
    consumer.assign(
      [...open].map((partition) => ({ topic, partition, offset: source.startOffsets?.[partition] ?? 0 })),
    );
    let lastReadAt = Date.now();
    pending = consume();
    while (open.size > 0) {
      const batch = await pending;
      pending = undefined;
      if (batch instanceof Error) throw batch;
      pending = consume();
      if (batch.length > 0) lastReadAt = Date.now();
      else if (Date.now() - lastReadAt > source.endMarkerTimeoutMs)
        throw new EndMarkersMissing(progress, Date.now() - lastReadAt);
      const users: UserRecord[] = [];
      for (const message of batch) {
        if (!open.has(message.partition) || !message.value) continue;
        progress.recordsScanned++;
        const type = recordType(message.headers);
        if (type === 'user') {
          if (message.value.indexOf(importNeedle) === -1) continue;
          const record: unknown = JSON.parse(message.value.toString('utf8'));
          if (!isUserRecord(record))
            throw new Error(`${topic}/${message.partition}@${message.offset}: not a user record`);
          if (record.importId !== importId || record.userSegmentationId !== userSegmentationId) continue;
          users.push(record);
        } else if (type === 'end-marker') {
          const marker = EndMarkerRecord.safeParse(JSON.parse(message.value.toString('utf8')));
          if (!marker.success || marker.data.jobId !== importId) continue;
          endMarker ??= marker.data;
          // Later records of this partition belong to later imports.
          open.delete(message.partition);
          consumer.pause([{ topic, partition: message.partition }]);
        }
      }
      progress.rowsRead += users.length;
      progress.partitionsEnded = partitions - open.size;
      progress.openPartitions = [...open];
      if (users.length > 0) yield users;
    }
    return endMarker!;
  } finally {
    // A consume still running holds the consumer: let it finish before disconnecting.
    if (pending) await pending;
    await disconnectNative(consumer);
  }
}
