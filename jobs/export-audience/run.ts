import { randomUUID } from 'node:crypto';
import { PassThrough, Transform } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import { stringify } from 'csv-stringify';
import type { z } from 'zod';
import { recordJobCounts } from '../audience-status/table.ts';
import { EndMarkerRecord, recordType, UserRecord } from '../runtime/audience-records.ts';
import type { JobDeps } from '../runtime/clients.ts';
import { JobError } from '../runtime/job-error.ts';
import { partitionCount } from '../runtime/topics.ts';
import { exportCells } from './csv-cells.ts';
import type { exportAudience } from './job.ts';

type Input = z.output<typeof exportAudience.input>;
type Output = z.input<typeof exportAudience.output>;

/**
 * Exports one import's records of a segmentation to CSV on S3: reads the audience topic from the beginning
 * (read_committed, so aborted import chunks never show) until every partition has shown the import's end
 * marker. Columns are `user_id` then the first record's attribute names (every record of an import has the
 * import file's header). Memory stays constant: Kafka fetches wait on the CSV stream, which waits on the upload.
 */
export async function run(input: Input, deps: JobDeps): Promise<Output> {
  const startedAt = deps.now();
  const topic = deps.config.audienceTopic;
  const target = `s3://${input.s3Bucket}/${input.s3Key}`;
  const admin = deps.kafka.admin();
  await admin.connect();
  const partitions = await partitionCount(admin, topic).finally(() => admin.disconnect());

  let bytesWritten = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytesWritten += chunk.length;
      callback(null, chunk);
    },
  });
  const body = new PassThrough();
  const csv = stringify({ quoted_match: /^\s|\s$/ });
  csv.pipe(counter).pipe(body);
  let uploadError: unknown;
  const upload = new Upload({
    client: deps.s3,
    params: { Bucket: input.s3Bucket, Key: input.s3Key, Body: body, ContentType: 'text/csv; charset=utf-8' },
    queueSize: 2,
    partSize: 8 * 1024 * 1024,
  });
  const uploaded = upload.done().catch((error: unknown) => {
    uploadError = error;
    csv.destroy();
  });

  let columns: string[] | undefined;
  let rowsExported = 0;
  let endMarker: EndMarkerRecord | undefined;
  const ended = new Set<number>();
  let lastProgressAt = deps.now();
  const writeRow = async (row: string[]) => {
    if (uploadError) throw uploadError;
    if (!csv.write(row)) await new Promise((resolve) => csv.once('drain', resolve));
  };
  const cells = exportCells(input.formulaEscaping);
  const writeHeader = async (names: string[]) => {
    columns = names;
    await writeRow(cells.header(names));
  };

  const consumer = deps.kafka.consumer({
    groupId: `audience-export-${input.exportId}-${randomUUID()}`,
    readUncommitted: false,
    maxBytesPerPartition: 4 * 1024 * 1024,
  });
  let settle: (error?: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  const watchdog = setInterval(
    () => {
      const idleMs = deps.now() - lastProgressAt;
      if (idleMs > deps.config.endMarkerTimeoutMs) {
        const missing = Array.from({ length: partitions }, (_, p) => p).filter((p) => !ended.has(p));
        settle(
          new JobError(
            'EndMarkerNotFound',
            `export ${input.exportId}: no end marker of import ${input.importId} on partition(s) ${missing.join(', ')} of ${topic} after ${Math.round(idleMs / 1000)} s without progress (${rowsExported} rows read)`,
          ),
        );
      } else {
        deps.log.info('export-progress', {
          exportId: input.exportId,
          rowsExported,
          partitionsEnded: ended.size,
          partitions,
        });
      }
    },
    Math.min(deps.config.progressIntervalMs, Math.max(250, deps.config.endMarkerTimeoutMs / 4)),
  );
  watchdog.unref();

  try {
    // kafkajs restarts the consumer itself after a retriable crash; only a final crash fails the export.
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) settle(event.payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      // The whole batch counts as read when eachBatch returns (auto-resolve); records after a marker don't matter.
      eachBatch: async ({ batch, heartbeat, pause }) => {
        if (ended.has(batch.partition)) return;
        // Scanning other imports' records is progress too: the timeout is for a topic with nothing more to read.
        lastProgressAt = deps.now();
        for (const message of batch.messages) {
          const type = recordType(message.headers);
          const value = message.value ? (JSON.parse(message.value.toString('utf8')) as unknown) : undefined;
          if (type === 'end-marker') {
            const marker = EndMarkerRecord.safeParse(value);
            if (marker.success && marker.data.jobId === input.importId) {
              endMarker ??= marker.data;
              ended.add(batch.partition);
              lastProgressAt = deps.now();
              pause();
              if (ended.size === partitions) settle();
              break;
            }
          } else if (type === 'user') {
            const candidate = value as { importId?: unknown; userSegmentationId?: unknown };
            if (
              candidate.importId !== input.importId ||
              candidate.userSegmentationId !== input.userSegmentationId
            ) {
              continue;
            }
            const record = UserRecord.parse(value);
            if (!columns) await writeHeader(Object.keys(record.attributes));
            await writeRow(
              cells.row(
                record.userId,
                columns!.map((name) => record.attributes[name] ?? ''),
              ),
            );
            rowsExported++;
          }
        }
        await heartbeat();
      },
    });
    await finished;
  } catch (error) {
    csv.destroy();
    body.destroy();
    await upload.abort().catch(() => undefined);
    throw error;
  } finally {
    clearInterval(watchdog);
    await consumer.disconnect().catch(() => undefined);
  }

  if (!columns) await writeHeader([]);
  csv.end();
  await uploaded;
  if (uploadError) throw uploadError;
  if (endMarker && endMarker.rowsProduced !== rowsExported) {
    throw new Error(
      `export ${input.exportId}: read ${rowsExported} rows of import ${input.importId}, but its end marker counts ${endMarker.rowsProduced}`,
    );
  }
  const summary = { rowsExported, bytesWritten, seconds: (deps.now() - startedAt) / 1000 };
  await recordJobCounts(
    deps.dynamodb,
    deps.config.statusTable,
    input.exportId,
    { rowsProduced: rowsExported, rowsRejected: 0, rowsExported, bytesWritten },
    new Date(deps.now()),
  );
  deps.log.info('export-complete', { exportId: input.exportId, target, ...summary });
  return summary;
}
