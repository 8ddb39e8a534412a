import type { Admin, Transaction } from 'kafkajs';

/** How far an import got: committed atomically with the Kafka transaction of the rows it counts. */
export interface ImportCheckpoint {
  /** Data rows of the file consumed (produced or rejected) so far. */
  rowsRead: number;
  rowsProduced: number;
  rowsRejected: number;
  /** ETag of the object read, so a resumed run refuses a changed file. */
  etag: string;
  /** True once the whole file was produced. */
  complete: boolean;
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
 * Adds the checkpoint to the open transaction: an offset commit (offset = rows read, metadata = counts) of the
 * import's own group on partition 0 of the audience topic. It becomes visible only if the transaction commits.
 */
export async function sendCheckpoint(
  transaction: Transaction,
  importId: string,
  topic: string,
  checkpoint: ImportCheckpoint,
): Promise<void> {
  await transaction.sendOffsets({
    consumerGroupId: checkpointGroup(importId),
    topics: [
      {
        topic,
        partitions: [
          {
            partition: 0,
            offset: String(checkpoint.rowsRead),
            metadata: JSON.stringify(checkpoint),
          } as never,
        ],
      },
    ],
  });
}

/** Reads the last committed checkpoint of an import, or undefined when none was committed. */
export async function readCheckpoint(
  admin: Admin,
  importId: string,
  topic: string,
): Promise<ImportCheckpoint | undefined> {
  const offsets = await admin.fetchOffsets({ groupId: checkpointGroup(importId), topics: [topic] });
  const partition = offsets[0]?.partitions.find((p) => p.partition === 0);
  if (!partition || Number(partition.offset) < 0 || !partition.metadata) return undefined;
  return JSON.parse(partition.metadata) as ImportCheckpoint;
}
