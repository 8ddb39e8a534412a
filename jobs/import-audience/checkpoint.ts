import type { TopicPartitionOffsetAndMetadata } from '@confluentinc/kafka-javascript';

/** How far an import got: committed atomically with the Kafka transaction of the rows it counts. */
export interface ImportCheckpoint {
  /** Data rows of the file consumed (produced or rejected) so far. */
  rowsRead: number;
  rowsProduced: number;
  rowsRejected: number;
  /** Bytes of the object read so far. */
  bytesRead?: number;
  /** ETag of the object read, so a resumed run refuses a changed file. */
  etag: string;
  /** True once the whole file was produced. */
  complete: boolean;
  /**
   * Where the import's records start on each partition of the audience topic (index = partition): the end
   * offsets before its first record, taken by its first run and kept by every resumed run. Absent in
   * checkpoints written before it existed; an export then reads from the beginning.
   */
  startOffsets?: number[];
  /** A shard's complete checkpoint: where its records lie, so a run that finds it done can still report it. */
  extent?: { firstRecordStart: number; nextRecordStart: number; lineCount: number };
}

/** Consumer group that holds an import's checkpoint as a transactional offset commit. */
export function checkpointGroup(importId: string): string {
  return `audience-import-checkpoint-${importId}`;
}

/** Transactional id of an import's producer: a second run of the same import fences the first. */
export function importTransactionalId(importId: string): string {
  return `audience-import-${importId}`;
}

/**
 * The checkpoint as the offset commit that carries it: offset = rows read, metadata = the checkpoint as JSON,
 * on partition 0 of the audience topic in the import's own group.
 */
export function checkpointOffset(
  topic: string,
  checkpoint: ImportCheckpoint,
): TopicPartitionOffsetAndMetadata {
  return { topic, partition: 0, offset: checkpoint.rowsRead, metadata: JSON.stringify(checkpoint) };
}

/** The checkpoint an offset commit of the import's group carries, or undefined when none was committed. */
export function checkpointOf(
  committed: TopicPartitionOffsetAndMetadata | undefined,
): ImportCheckpoint | undefined {
  if (!committed || committed.offset < 0 || !committed.metadata) return undefined;
  // The client drops the last byte of commit metadata, taking it for the NUL that librdkafka stores after the text:
  // a checkpoint it committed comes back whole, one kafkajs committed (before the move) without its closing brace.
  const text = committed.metadata.replace(/\0+$/, '');
  return JSON.parse(text.endsWith('}') ? text : `${text}}`) as ImportCheckpoint;
}
