import type { z } from 'zod';
import { recordJobCounts } from '../audience-status/table.ts';
import type { JobDeps } from '../runtime/clients.ts';
import { JobError } from '../runtime/job-error.ts';
import { readStartOffsets } from '../runtime/start-offsets.ts';
import { partitionCount, withAdmin } from '../runtime/topics.ts';
import { exportCells } from './csv-cells.ts';
import { openCsvUpload } from './csv-upload.ts';
import type { exportAudience } from './job.ts';
import { EndMarkersMissing, readSegment, type SegmentProgress } from './segment-reader.ts';

type Input = z.output<typeof exportAudience.input>;
type Output = z.input<typeof exportAudience.output>;

/**
 * Exports one import's records of a segmentation to CSV on S3: reads the audience topic from where the import's
 * records start (its status item's start offsets; from the beginning for an import without them), read_committed
 * so aborted import chunks never show, until every partition has shown the import's end marker. Columns are
 * `user_id` then the first record's attribute names (every record of an import has the import file's header).
 * Fetching, CSV writing and the upload overlap; memory stays bounded: reading waits on the upload.
 */
export async function run(input: Input, deps: JobDeps): Promise<Output> {
  const startedAt = deps.now();
  const topic = deps.config.audienceTopic;
  const target = `s3://${input.s3Bucket}/${input.s3Key}`;
  const partitions = await withAdmin(deps.kafka, (admin) => partitionCount(admin, topic));
  const startOffsets = await readStartOffsets(deps.dynamodb, deps.config.statusTable, input.importId);
  deps.log.info('export-reading', {
    exportId: input.exportId,
    importId: input.importId,
    ...(startOffsets ? { startOffsets } : { from: 'beginning (the import has no start offsets)' }),
  });

  const upload = openCsvUpload(deps.s3, input.s3Bucket, input.s3Key);
  const progress: SegmentProgress = {
    rowsRead: 0,
    recordsScanned: 0,
    partitionsEnded: 0,
    openPartitions: [],
  };
  const logProgress = setInterval(
    () =>
      deps.log.info('export-progress', {
        exportId: input.exportId,
        rowsExported: progress.rowsRead,
        recordsScanned: progress.recordsScanned,
        partitionsEnded: progress.partitionsEnded,
        partitions,
      }),
    deps.config.progressIntervalMs,
  );
  logProgress.unref();

  let columns: string[] | undefined;
  const cells = exportCells(input.formulaEscaping);
  const segment = readSegment(
    deps.kafka,
    {
      topic,
      partitions,
      importId: input.importId,
      userSegmentationId: input.userSegmentationId,
      startOffsets,
      endMarkerTimeoutMs: deps.config.endMarkerTimeoutMs,
    },
    progress,
  );
  let bytesWritten: number;
  let rowsExpected: number;
  try {
    for (;;) {
      const next = await segment.next();
      if (next.done) {
        rowsExpected = next.value.rowsProduced;
        break;
      }
      const users = next.value;
      const rows: string[][] = [];
      if (!columns) {
        columns = Object.keys(users[0]!.attributes);
        rows.push(cells.header(columns));
      }
      const names = columns;
      for (const user of users)
        rows.push(
          cells.row(
            user.userId,
            names.map((name) => user.attributes[name] ?? ''),
          ),
        );
      await upload.write(rows);
    }
    if (!columns) await upload.write([cells.header([])]);
    bytesWritten = await upload.finish();
  } catch (error) {
    await upload.abort();
    if (error instanceof EndMarkersMissing) {
      throw new JobError(
        'EndMarkerNotFound',
        `export ${input.exportId}: no end marker of import ${input.importId} on partition(s) ${error.progress.openPartitions.join(', ')} of ${topic} after ${Math.round(error.idleMs / 1000)} s without progress (${error.progress.rowsRead} rows read)`,
        { cause: error },
      );
    }
    throw error;
  } finally {
    clearInterval(logProgress);
  }

  const rowsExported = progress.rowsRead;
  if (rowsExpected !== rowsExported) {
    throw new Error(
      `export ${input.exportId}: read ${rowsExported} rows of import ${input.importId}, but its end marker counts ${rowsExpected}`,
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
  deps.log.info('export-complete', {
    exportId: input.exportId,
    target,
    recordsScanned: progress.recordsScanned,
    ...summary,
  });
  return summary;
}
