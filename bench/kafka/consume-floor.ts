// The floor of any reader built on the Kafka client: its native consumer handing every record of a topic to
// JavaScript, nothing done with them (no parse, no CSV, no upload).
import type { Message } from '@confluentinc/kafka-javascript';
import { SEGMENT_CONSUMER_SETTINGS } from '../../jobs/export-audience/segment-reader.ts';
import {
  connectNativeConsumer,
  disconnectNative,
  type KafkaClient,
  nativeCall,
} from '../../jobs/runtime/kafka-client.ts';
import { endOffsets, withAdmin } from '../../jobs/runtime/topics.ts';

/** Reads a whole topic read_committed with the export's consumer settings; returns records and seconds. */
export async function consumeFloor(
  kafka: KafkaClient,
  topic: string,
): Promise<{ records: number; seconds: number }> {
  const ends = await withAdmin(kafka, (admin) => endOffsets(admin, topic));
  const started = performance.now();
  const consumer = await connectNativeConsumer(kafka, {
    'group.id': `bench-floor-${Date.now()}`,
    ...SEGMENT_CONSUMER_SETTINGS,
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
