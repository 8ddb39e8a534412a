// The floor of a reader built on the Confluent client: its native consumer handing every record of a topic to
// JavaScript, nothing done with them (no parse, no CSV, no upload). The export read this way before its readers
// moved to @platformatic/kafka; kept as the contender that decided it.
import type { ConsumerGlobalConfig, Message } from '@confluentinc/kafka-javascript';
import {
  connectNativeConsumer,
  disconnectNative,
  type KafkaClient,
  nativeCall,
} from '../../jobs/runtime/kafka-client.ts';
import { endOffsets, withAdmin } from '../../jobs/runtime/topics.ts';

/** The settings the export's native consumer had: read_committed, no commits, a bounded prefetch refilled promptly. */
const NATIVE_CONSUMER_SETTINGS = {
  'enable.auto.commit': false,
  'isolation.level': 'read_committed',
  'queued.max.messages.kbytes': 32 * 1024,
  'fetch.queue.backoff.ms': 20,
  'fetch.max.bytes': 8 * 1024 * 1024,
  'queued.min.messages': 20_000,
} as const satisfies ConsumerGlobalConfig;

/** Reads a whole topic read_committed with the export's consumer settings; returns records and seconds. */
export async function consumeFloor(
  kafka: KafkaClient,
  topic: string,
): Promise<{ records: number; seconds: number }> {
  const ends = await withAdmin(kafka, (admin) => endOffsets(admin, topic));
  const started = performance.now();
  const consumer = await connectNativeConsumer(kafka, {
    'group.id': `bench-floor-${Date.now()}`,
    ...NATIVE_CONSUMER_SETTINGS,
    'enable.partition.eof': true,
  });
  consumer.setDefaultConsumeTimeout(50);
  const reached = new Set<number>();
  consumer.on('partition.eof', ({ partition, offset }) => {
    if (offset >= (ends[partition] ?? 0)) reached.add(partition);
  });
  let records = 0;
  try {
    consumer.assign(ends.map((_, partition) => ({ topic, partition, offset: 0 })));
    while (reached.size < ends.length) {
      records += (await nativeCall<Message[]>('consume', (done) => consumer.consume(5000, done))).length;
    }
  } finally {
    await disconnectNative(consumer);
  }
  return { records, seconds: (performance.now() - started) / 1000 };
}
