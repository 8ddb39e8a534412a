import type { z } from 'zod';
import { readStatusItem } from '../audience-status/table.ts';
import { type EndMarkerRecord, endMarkerKey, RECORD_TYPE_HEADER } from '../runtime/audience-records.ts';
import type { JobDeps } from '../runtime/clients.ts';
import { JobError } from '../runtime/job-error.ts';
import { readStartOffsets } from '../runtime/start-offsets.ts';
import { partitionCount, withAdmin } from '../runtime/topics.ts';
import type { sendEndMarker } from './job.ts';

type Input = z.output<typeof sendEndMarker.input>;
type Output = z.input<typeof sendEndMarker.output>;

/**
 * Produces the control record that closes a job, once on every partition of the audience topic, with the counts
 * the job left in its status item. Replaying it is harmless: consumers stop at the first marker of a job.
 */
export async function run(input: Input, deps: JobDeps): Promise<Output> {
  const { jobId, jobKind, userSegmentationId } = input;
  const topic = deps.config.audienceTopic;
  const item = await readStatusItem(deps.dynamodb, deps.config.statusTable, jobId);
  const rowsProduced = item?.rowsProduced;
  const rowsRejected = item?.rowsRejected ?? 0;
  if (typeof rowsProduced !== 'number' || typeof rowsRejected !== 'number') {
    throw new JobError(
      'CountsMissing',
      `job ${jobId}: no rowsProduced count in ${deps.config.statusTable}; the ${jobKind} job has not finished`,
    );
  }
  const startOffsets =
    jobKind === 'import' ? await readStartOffsets(deps.dynamodb, deps.config.statusTable, jobId) : undefined;
  const partitions = await withAdmin(deps.kafka, (admin) => partitionCount(admin, topic));
  const value: EndMarkerRecord = {
    type: 'end_marker',
    jobId,
    jobKind,
    userSegmentationId,
    rowsProduced,
    rowsRejected,
    partitions,
    ...(startOffsets ? { startOffsets: [...startOffsets] } : {}),
  };
  const producer = deps.kafka.kafkajs.producer({ 'enable.idempotence': true, acks: -1 });
  await producer.connect();
  try {
    await producer.send({
      topic,
      messages: Array.from({ length: partitions }, (_, partition) => ({
        partition,
        key: endMarkerKey(jobId),
        value: JSON.stringify(value),
        headers: { [RECORD_TYPE_HEADER]: 'end-marker' },
      })),
    });
  } finally {
    await producer.disconnect();
  }
  deps.log.info('end-marker-sent', { jobId, topic, partitions, rowsProduced, rowsRejected });
  return { topic, partitions, rowsProduced, rowsRejected };
}
