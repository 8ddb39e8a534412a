// The floor of the export's readers: the export's fetcher (@platformatic/kafka's connections and Fetch request,
// record batches read from the response's bytes) reading every batch of a topic on one thread, with the export's
// fetch settings and read_committed filter, nothing done with the records (no JSON, no CSV, no upload). Beside
// consume-floor.ts (the Confluent client's native consumer) it decided the read path.
import { readerConnection } from '../../jobs/export-audience/kafka-connection.ts';
import { openPartitionFetcher } from '../../jobs/export-audience/partition-fetcher.ts';
import type { KafkaClient } from '../../jobs/runtime/kafka-client.ts';

/** Fetches `records` records of a topic from the start of each of its `partitions`; returns records, seconds and CPU seconds. */
export async function fetchFloor(
  kafka: KafkaClient,
  topic: string,
  partitions: number,
  records: number,
): Promise<{ records: number; seconds: number; cpuSeconds: number }> {
  const fetcher = await openPartitionFetcher(readerConnection(kafka.config), topic);
  const all = Array.from({ length: partitions }, (_, partition) => partition);
  fetcher.seek(new Map(all.map((partition) => [partition, 0])));
  const started = performance.now();
  const cpu = process.cpuUsage();
  let read = 0;
  try {
    while (read < records)
      for (const { batches } of await fetcher.fetch(all)) for (const batch of batches) read += batch.count;
  } finally {
    await fetcher.close();
  }
  const used = process.cpuUsage(cpu);
  return {
    records: read,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
  };
}
