import rdkafka, { type KafkaJS } from '@confluentinc/kafka-javascript';
import type { KafkaClient } from './kafka-client.ts';

/** Creates a topic unless it exists (a local or first-run convenience; production topics are provisioned). */
export async function ensureTopic(admin: KafkaJS.Admin, topic: string, numPartitions: number): Promise<void> {
  const existing = await admin.listTopics();
  if (existing.includes(topic)) return;
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions }] });
  } catch (error) {
    if ((error as { code?: number }).code !== rdkafka.CODES.ERRORS.ERR_TOPIC_ALREADY_EXISTS) throw error;
  }
}

/** The number of partitions of a topic. */
export async function partitionCount(admin: KafkaJS.Admin, topic: string): Promise<number> {
  const [metadata] = await admin.fetchTopicMetadata({ topics: [topic] });
  const partitions = metadata?.partitions.length ?? 0;
  if (partitions === 0) throw new Error(`topic ${topic} has no partitions`);
  return partitions;
}

/**
 * The next offset of every partition of a topic (index = partition), read_uncommitted: every record produced
 * after this call lands at or after it. An import records these as where its records start.
 */
export async function endOffsets(admin: KafkaJS.Admin, topic: string): Promise<number[]> {
  const offsets = await admin.fetchTopicOffsets(topic, {
    isolationLevel: rdkafka.IsolationLevel.READ_UNCOMMITTED,
  });
  const ends: number[] = [];
  // A partition of a topic created a moment ago can answer -1 (no leader yet): its records start at 0 anyway.
  for (const { partition, high } of offsets) ends[partition] = Math.max(0, Number(high));
  return ends;
}

/** Runs `use` with a connected KafkaJS-compatible admin client and disconnects it after. */
export async function withAdmin<T>(
  kafka: KafkaClient,
  use: (admin: KafkaJS.Admin) => Promise<T>,
): Promise<T> {
  const admin = kafka.kafkajs.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
