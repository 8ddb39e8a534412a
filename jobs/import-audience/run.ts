import type { z } from 'zod';
import { recordJobCounts } from '../audience-status/table.ts';
import type { JobDeps } from '../runtime/clients.ts';
import { JobError } from '../runtime/job-error.ts';
import { KafkaError } from '../runtime/kafka-client.ts';
import { recordStartOffsets } from '../runtime/start-offsets.ts';
import { ensureTopic } from '../runtime/topics.ts';
import { type ImportResult, importOnce } from './import-once.ts';
import type { ShardRange } from './import-reading.ts';
import type { importAudience } from './job.ts';
import { isFenced } from './kafka-sink.ts';
import { recordShardSummary, shardNames } from './shard-summary.ts';

type Input = z.output<typeof importAudience.input>;
type Output = z.input<typeof importAudience.output>;

/** Runs of one import inside one process after a Kafka failure (each resumes from the checkpoint). */
const MAX_ATTEMPTS = 5;

/**
 * Imports a CSV object (or one shard of it) into the audience topic. Rows go out in Kafka transactions of
 * `importChunkRows` rows, each committing a checkpoint with it; a second run of the same import or shard (a Step
 * Functions retry, a Fargate run after a Lambda ran out of time, or an in-process retry after a Kafka failure)
 * fences the first and resumes after the last committed chunk.
 */
export async function run(input: Input, deps: JobDeps): Promise<Output> {
  const shard = shardOf(input);
  const startedAt = deps.now();
  const admin = deps.kafka.kafkajs.admin();
  await admin.connect();
  try {
    await ensureTopic(admin, deps.config.audienceTopic, deps.config.audienceTopicPartitions);
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await importOnce(input, shard, deps, admin, startedAt);
        await recordResult(deps, input, shard, result);
        const summary = {
          ...result.counts,
          seconds: (deps.now() - startedAt) / 1000,
          ...(result.extent ?? {}),
        };
        deps.log.info('import-complete', {
          importId: input.importId,
          ...(shard ? { shardIndex: shard.shardIndex } : {}),
          ...summary,
        });
        return summary;
      } catch (error) {
        if (!isResumable(error) || attempt >= MAX_ATTEMPTS) throw error;
        deps.log.warn('import-resuming', { importId: input.importId, attempt, error: describe(error) });
        await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

/** The shard this run reads, or undefined for the whole object; the four shard fields come together or not at all. */
function shardOf(input: Input): ShardRange | undefined {
  const { shardIndex, shardCount, rangeStart, rangeEnd } = input;
  const given = [shardIndex, shardCount, rangeStart, rangeEnd].filter((value) => value !== undefined);
  if (given.length === 0) return undefined;
  if (given.length !== 4 || shardIndex! >= shardCount! || rangeEnd! < rangeStart!) {
    throw new JobError(
      'InvalidInput',
      `import ${input.importId}: a shard needs shardIndex < shardCount and rangeStart <= rangeEnd, all four (got ${JSON.stringify({ shardIndex, shardCount, rangeStart, rangeEnd })})`,
    );
  }
  return { shardIndex: shardIndex!, rangeStart: rangeStart!, rangeEnd: rangeEnd! };
}

/**
 * Records what the run did in the status table: the import's counts and start offsets (an unsharded import:
 * send-end-marker reads them), or a shard's summary under its own item (the step that closes the import reads it).
 */
async function recordResult(
  deps: JobDeps,
  input: Input,
  shard: ShardRange | undefined,
  result: ImportResult,
) {
  const { statusTable } = deps.config;
  const now = new Date(deps.now());
  if (shard) {
    const { shardIndex } = shard;
    await recordShardSummary(
      deps.dynamodb,
      statusTable,
      shardNames.statusJobId(input.importId, shardIndex),
      {
        ...result.counts,
        ...result.extent!,
        startOffsets: result.startOffsets,
        rejectsPartKey:
          result.counts.rowsRejected > 0 ? shardNames.rejectsKey(input.importId, shardIndex) : undefined,
        fingerprintsKey: shardNames.fingerprintsKey(input.importId, shardIndex),
      },
      now,
    );
    return;
  }
  // Start offsets first: counts in the item mean the import finished (send-end-marker relies on it).
  if (result.startOffsets)
    await recordStartOffsets(deps.dynamodb, statusTable, input.importId, result.startOffsets);
  await recordJobCounts(deps.dynamodb, statusTable, input.importId, { ...result.counts }, now);
}

/** Kafka failures (broker gone, coordinator moved) are resumed from the checkpoint; a fenced run gives way. */
function isResumable(error: unknown): boolean {
  if (error instanceof KafkaError) return !isFenced(error);
  // The KafkaJS-compatible admin's errors (topic and end-offset lookups).
  return error instanceof Error && error.name.startsWith('KafkaJS');
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
