import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectionPool, Consumer, FetchIsolationLevels } from '@platformatic/kafka';
import { committedBatches } from './committed-batches.ts';
import { type ReaderConnection, readerClientOptions } from './kafka-connection.ts';
import { rawFetch } from './raw-fetch.ts';
import { type RecordBatch, readRecordBatches } from './record-batches.ts';

/**
 * Bytes one fetch may return in all, and per partition. A partition's share holds one of the import's batches
 * (librdkafka's batch.size: 1,000,000 bytes); a batch cut at the limit is fetched whole next time.
 */
const FETCH_MAX_BYTES = 4 * 1024 * 1024;
const PARTITION_MAX_BYTES = 1024 * 1024;
/** How long the broker may hold a fetch with nothing to return (an import still running). */
const FETCH_WAIT_MS = 100;
/** Longest pause between two attempts of a fetch that failed (a broker restarting, a leader moving). */
const RETRY_PAUSE_MAX_MS = 1000;
/**
 * Partition error codes that pass (leadership moving, metadata behind, a replica or log directory recovering):
 * the fetch is tried again after reading the cluster's metadata anew. Any other code (offset out of range, no
 * authorisation, …) fails the read at once.
 */
const PASSING_ERRORS = new Set([3, 5, 6, 9, 56, 74, 75, 78]);

/** A fetch that failed; `passing` when trying again may succeed. */
export class FetchFailed extends Error {
  override readonly name = 'FetchFailed';
  readonly passing: boolean;
  constructor(message: string, passing: boolean) {
    super(message);
    this.passing = passing;
  }
}
/** A fetch without a fetch session (Kafka's FINAL_EPOCH): every request names its partitions and offsets. */
const NO_SESSION = { id: 0, epoch: -1 };

/** What one fetch brought for one partition: its committed data batches, in offset order. */
export interface PartitionBatches {
  readonly partition: number;
  /** The offset the fetch asked for: a batch may start before it, and its earlier records are not to be read. */
  readonly fromOffset: bigint;
  readonly batches: RecordBatch[];
}

/** A connected reader of some partitions of one topic. */
export interface PartitionFetcher {
  /** Sets where each partition's reading starts (partition → offset). */
  seek(startOffsets: ReadonlyMap<number, number>): void;
  /**
   * Fetches the next records of the given partitions, read_committed, from where the last fetch of each ended
   * (the start offset at first); waits at most FETCH_WAIT_MS when there is nothing new.
   */
  fetch(partitions: readonly number[]): Promise<PartitionBatches[]>;
  close(): Promise<void>;
}

/**
 * Connects a fetcher of `topic` and reads the topic's metadata. @platformatic/kafka gives the metadata, the
 * connections (TLS, SASL) and the request; the records are read from the response's bytes (raw-fetch.ts,
 * record-batches.ts). No consumer group, no commits; aborted transactions are dropped (committedBatches), control
 * records skipped.
 */
export async function openPartitionFetcher(
  connection: ReaderConnection,
  topic: string,
): Promise<PartitionFetcher> {
  const options = readerClientOptions(connection);
  // Used for the cluster's metadata only (brokers, leaders); the client requires a group id it never joins.
  const cluster = new Consumer({ ...options, groupId: `${connection.clientId}-reader` });
  const pool = new ConnectionPool(connection.clientId, { tls: options.tls, sasl: options.sasl });
  const next = new Map<number, bigint>();
  let metadata = await cluster.metadata({ topics: [topic] });
  let rotation = 0;

  async function fetchOnce(partitions: readonly number[]): Promise<PartitionBatches[]> {
    const described = metadata.topics.get(topic);
    if (!described) throw new Error(`topic ${topic} is not in the cluster's metadata`);
    // Only the first partition of a response is sure to get a batch larger than its share: each takes a turn.
    const turn = rotation++ % partitions.length;
    const ordered = [...partitions.slice(turn), ...partitions.slice(0, turn)];
    // One fetch per leader, all at once: each broker answers for the partitions it leads.
    const byLeader = new Map<number, number[]>();
    for (const partition of ordered) {
      const leader = described.partitions[partition]?.leader;
      if (leader === undefined || leader < 0) throw new Error(`${topic}/${partition} has no leader`);
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), partition]);
    }
    const asked = new Map(ordered.map((partition) => [partition, next.get(partition) ?? 0n]));
    const responses = await Promise.all(
      [...byLeader].map(async ([node, led]) => {
        const broker = metadata.brokers.get(node);
        if (!broker) throw new Error(`broker ${node} (leader of ${topic}) is not in the cluster's metadata`);
        const response = await rawFetch.async(
          await pool.get(broker),
          FETCH_WAIT_MS,
          1,
          FETCH_MAX_BYTES,
          FetchIsolationLevels.READ_COMMITTED,
          NO_SESSION.id,
          NO_SESSION.epoch,
          [
            {
              // Fetch v12 names the topic (v13 and later give its id in this field).
              topicId: topic,
              partitions: led.map((partition) => ({
                partition,
                currentLeaderEpoch: -1,
                fetchOffset: asked.get(partition)!,
                lastFetchedEpoch: -1,
                partitionMaxBytes: PARTITION_MAX_BYTES,
              })),
            },
          ],
          [],
          '',
        );
        if (response.errorCode !== 0)
          throw new Error(`fetch from broker ${node}: error code ${response.errorCode}`);
        return response;
      }),
    );
    const fetched: PartitionBatches[] = [];
    for (const response of responses)
      for (const answer of response.partitions) {
        if (answer.errorCode !== 0)
          throw new FetchFailed(
            `fetch of ${topic}/${answer.partition} at offset ${asked.get(answer.partition)}: Kafka error code ${answer.errorCode}`,
            PASSING_ERRORS.has(answer.errorCode),
          );
        const batches = answer.records ? readRecordBatches(answer.records) : [];
        const last = batches.at(-1);
        // Control batches and aborted ones count too: the next fetch starts after every batch returned.
        if (last) next.set(answer.partition, last.firstOffset + BigInt(last.lastOffsetDelta) + 1n);
        fetched.push({
          partition: answer.partition,
          fromOffset: asked.get(answer.partition) ?? 0n,
          batches: committedBatches(batches, answer.abortedTransactions),
        });
      }
    return fetched;
  }

  return {
    seek: (startOffsets) => {
      for (const [partition, offset] of startOffsets) next.set(partition, BigInt(offset));
    },
    // Tried again as long as it takes (as librdkafka does): the main thread fails the export when no reader
    // has read a record for END_MARKER_TIMEOUT_MS. Errors that cannot pass fail at once.
    fetch: async (partitions) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await fetchOnce(partitions);
        } catch (error) {
          if (error instanceof FetchFailed && !error.passing) throw error;
          // A moved leader or a restarting broker: read the cluster again and retry from the same offsets.
          await sleep(Math.min(RETRY_PAUSE_MAX_MS, 100 * attempt));
          metadata = await cluster.metadata({ topics: [topic], forceUpdate: true }).catch(() => metadata);
        }
      }
    },
    close: async () => {
      await Promise.all([pool.close(), cluster.close(true)]);
    },
  };
}
