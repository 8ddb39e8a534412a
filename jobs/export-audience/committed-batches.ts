import { IS_CONTROL, IS_TRANSACTIONAL } from '@platformatic/kafka';
import type { BatchHeader } from './record-batches.ts';

/** An aborted transaction a fetch response lists for a partition (read_committed). */
export interface AbortedTransaction {
  readonly producerId: bigint;
  readonly firstOffset: bigint;
}

/** A control batch's marker type that ends an aborted transaction. */
const ABORT_MARKER = 0;

/**
 * The data batches of one partition's fetched batches that belong to committed transactions (or to none), in
 * order; control batches are dropped. A read_committed fetch still returns the records of aborted transactions
 * and lists those transactions beside them: the consumer must drop them itself (Kafka's KIP-98, as the Java
 * consumer does). A producer's batches are aborted from the first offset of an aborted transaction it is listed
 * with until its abort marker; a producer (one transactional id) may abort several transactions in one response.
 */
export function committedBatches<Batch extends BatchHeader>(
  batches: readonly Batch[],
  aborted: readonly AbortedTransaction[] | null | undefined,
): Batch[] {
  const pending = [...(aborted ?? [])].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
  const abortedProducers = new Set<bigint>();
  const committed: Batch[] = [];
  for (const batch of batches) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    while (pending.length > 0 && pending[0]!.firstOffset <= lastOffset)
      abortedProducers.add(pending.shift()!.producerId);
    if (batch.attributes & IS_CONTROL) {
      if (batch.controlType === ABORT_MARKER) abortedProducers.delete(batch.producerId);
      continue;
    }
    if (batch.attributes & IS_TRANSACTIONAL && abortedProducers.has(batch.producerId)) continue;
    committed.push(batch);
  }
  return committed;
}
