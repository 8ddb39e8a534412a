import rdkafka, {
  type KafkaConsumer,
  type LibrdKafkaError,
  type MessageHeader,
  type TopicPartitionOffsetAndMetadata,
} from '@confluentinc/kafka-javascript';
import { RECORD_TYPE_HEADER } from '../runtime/audience-records.ts';
import {
  connectNativeConsumer,
  connectNativeProducer,
  disconnectNative,
  KafkaCallTimedOut,
  type KafkaClient,
  KafkaError,
  nativeCall,
  nativeCallWithin,
} from '../runtime/kafka-client.ts';
import {
  checkpointGroup,
  checkpointOf,
  checkpointOffset,
  type ImportCheckpoint,
  importTransactionalId,
} from './checkpoint.ts';

/** How long the transactional calls (init, commit, abort, offsets) may take before they fail. */
const TRANSACTION_CALL_MS = 30_000;
/** How long past its own timeout a transactional call may stay unanswered before this run gives the producer up. */
const STUCK_CALL_MS = TRANSACTION_CALL_MS + 10_000;
/** How long closing a producer given up may take before the run goes on without it. */
const STUCK_CLOSE_MS = 5_000;
/** Bound of librdkafka's produce queue, so memory stays flat whatever the file size (KiB and messages). */
const QUEUE_KIBIBYTES = 32 * 1024;
const QUEUE_MESSAGES = 100_000;

const USER_HEADERS: MessageHeader[] = [{ [RECORD_TYPE_HEADER]: Buffer.from('user') }];

/**
 * The producing side of an import: user records go into Kafka transactions, each committed together with the
 * import's checkpoint. Opening it fences any older run of the same import and aborts its open transaction.
 */
export interface ImportSink {
  /**
   * The last committed checkpoint of the import, or undefined. Read after the fencing, so an older run's open
   * transaction is aborted first; stable offsets only, so an uncommitted checkpoint is never returned.
   */
  readCheckpoint(): Promise<ImportCheckpoint | undefined>;
  /**
   * Queues one user record (key = user id). Returns at once, or a promise when librdkafka's queue is full, which
   * resolves once the record is queued: await it to keep memory bounded.
   */
  produce(key: Buffer | string, value: Buffer): Promise<void> | undefined;
  /** Commits the records produced since the last commit together with `checkpoint`; opens the next transaction unless it is complete. */
  commit(checkpoint: ImportCheckpoint): Promise<void>;
  /** Aborts the open transaction, if any (its records never show to read_committed consumers). */
  abort(): Promise<void>;
  /** Disconnects; records of an open transaction are not committed. */
  close(): Promise<void>;
}

/** Opens the transactional producer of an import on `topic` and begins its first transaction. */
export async function openImportSink(
  kafka: KafkaClient,
  importId: string,
  topic: string,
): Promise<ImportSink> {
  const producer = await connectNativeProducer(kafka, {
    'transactional.id': importTransactionalId(importId),
    'transaction.timeout.ms': 120_000,
    // Java's (and kafkajs's) partitioner, so a user id lands on the same partition as with earlier imports.
    partitioner: 'murmur2_random',
    'linger.ms': 20,
    'queue.buffering.max.kbytes': QUEUE_KIBIBYTES,
    'queue.buffering.max.messages': QUEUE_MESSAGES,
    // No delivery report reaches JavaScript: a failed record fails the transaction's commit instead.
    dr_cb: false,
    dr_msg_cb: false,
  });
  // Delivery events are served on librdkafka's background thread: nothing in JavaScript has to poll.
  producer.setPollInBackground(true);
  let checkpointConsumer: KafkaConsumer | undefined;
  let open = false;
  try {
    await nativeCallWithin(STUCK_CALL_MS, 'init transactions', (done) =>
      producer.initTransactions(TRANSACTION_CALL_MS, done),
    );
    // Never subscribed: it reads the checkpoint and lends its group's metadata to the transactional offset commit.
    // (Not an admin client's offset fetch: librdkafka 2.15 crashes when one meets a coordinator change.)
    checkpointConsumer = await connectNativeConsumer(kafka, {
      'group.id': checkpointGroup(importId),
      'enable.auto.commit': false,
      'isolation.level': 'read_committed',
    });
    await nativeCall('begin transaction', (done) => producer.beginTransaction(done));
    open = true;
  } catch (error) {
    await Promise.all([
      disconnectNative(producer),
      checkpointConsumer && disconnectNative(checkpointConsumer),
    ]);
    throw error;
  }
  const consumer = checkpointConsumer;
  // Set when a call outlived STUCK_CALL_MS: the producer is left to be fenced by the next run, never waited on again.
  let stuck = false;
  const transactional = <T = void>(
    operation: string,
    call: (callback: (error: LibrdKafkaError | null | undefined, result?: T) => void) => void,
  ): Promise<T> =>
    nativeCallWithin(STUCK_CALL_MS, operation, call).catch((error: unknown) => {
      if (error instanceof KafkaCallTimedOut) stuck = true;
      throw error;
    });
  const queueFull = rdkafka.CODES.ERRORS.ERR__QUEUE_FULL;

  const produceOne = (key: Buffer | string, value: Buffer): boolean => {
    try {
      producer.produce(topic, null, value, key, null, undefined, USER_HEADERS);
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === queueFull) return false;
      throw new KafkaError('produce', error as Error);
    }
  };
  const produceWhenRoom = async (key: Buffer | string, value: Buffer): Promise<void> => {
    const since = Date.now();
    // The background thread frees room as the broker acknowledges; a millisecond is a few thousand records.
    do {
      if (Date.now() - since > STUCK_CALL_MS) {
        stuck = true;
        throw new KafkaCallTimedOut('produce (queue full)', STUCK_CALL_MS);
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    } while (!produceOne(key, value));
  };

  return {
    readCheckpoint: async () => {
      const [committed] = await transactional<TopicPartitionOffsetAndMetadata[]>('read checkpoint', (done) =>
        consumer.committed([{ topic, partition: 0 }], TRANSACTION_CALL_MS, done),
      );
      return checkpointOf(committed);
    },
    produce: (key, value) => (produceOne(key, value) ? undefined : produceWhenRoom(key, value)),
    commit: async (checkpoint) => {
      await transactional('send checkpoint', (done) =>
        producer.sendOffsetsToTransaction(
          [checkpointOffset(topic, checkpoint)],
          consumer,
          TRANSACTION_CALL_MS,
          done,
        ),
      );
      await transactional('commit transaction', (done) =>
        producer.commitTransaction(TRANSACTION_CALL_MS, done),
      );
      open = false;
      if (checkpoint.complete) return;
      await nativeCall('begin transaction', (done) => producer.beginTransaction(done));
      open = true;
    },
    abort: async () => {
      if (!open || stuck) return;
      open = false;
      await transactional('abort transaction', (done) =>
        producer.abortTransaction(TRANSACTION_CALL_MS, done),
      );
    },
    close: async () => {
      const ms = stuck ? STUCK_CLOSE_MS : undefined;
      await Promise.all([disconnectNative(producer, ms), disconnectNative(consumer, ms)]);
    },
  };
}

const FENCED = new Set([
  rdkafka.CODES.ERRORS.ERR__FENCED,
  rdkafka.CODES.ERRORS.ERR_PRODUCER_FENCED,
  rdkafka.CODES.ERRORS.ERR_INVALID_PRODUCER_EPOCH,
  rdkafka.CODES.ERRORS.ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
]);

/** True when a newer run of the same import took over (or the id may not be used): this run must give way. */
export function isFenced(error: KafkaError): boolean {
  return FENCED.has(error.code);
}
