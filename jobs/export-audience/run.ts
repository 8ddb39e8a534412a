import type { z } from 'zod';
import { recordJobCounts } from '../audience-status/table.ts';
import type { JobDeps } from '../runtime/clients.ts';
import { JobError } from '../runtime/job-error.ts';
import { readStartOffsets } from '../runtime/start-offsets.ts';
import { partitionCount, withAdmin } from '../runtime/topics.ts';
import { csvLine, exportCells } from './csv-cells.ts';
import { openCsvUpload } from './csv-upload.ts';
import type { exportAudience } from './job.ts';
import { readerConnection } from './kafka-connection.ts';
import {
  EndMarkersMissing,
  readSegmentCsv,
  type SegmentProgress,
  startSegmentReaders,
} from './segment-readers.ts';

type Input = z.output<typeof exportAudience.input>;
type Output = z.input<typeof exportAudience.output>;

/**
 * Exports one import's records of a segmentation to CSV on S3: reads the audience topic from where the import's
 * records start (its status item's start offsets; from the beginning for an import without them), read_committed
 * so aborted import chunks never show, until every partition has shown the import's end marker. Columns are
 * `user_id` then the first record's attribute names (every record of an import has the import file's header).
 * Reader threads fetch shares of the partitions and write CSV lines while the main thread uploads; memory stays
 * bounded: reading waits on the upload.
 */
export async function run(input: Input, deps: JobDeps): Promise<Output> {
  const startedAt = deps.now();
  const topic = deps.config.audienceTopic;
  const target = `s3://${input.s3Bucket}/${input.s3Key}`;
  // The readers load and connect while the partitions and start offsets are looked up.
  const readers = startSegmentReaders(readerConnection(deps.kafka.config), topic);
  let partitions: number;
  let startOffsets: Awaited<ReturnType<typeof readStartOffsets>>;
  try {
    [partitions, startOffsets] = await Promise.all([
      withAdmin(deps.kafka, (admin) => partitionCount(admin, topic)),
      readStartOffsets(deps.dynamodb, deps.config.statusTable, input.importId),
    ]);
  } catch (error) {
    await readers.close();
    throw error;
  }
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

  const cells = exportCells(input.formulaEscaping);
  let headerWritten = false;
  const writeHeader = (names: readonly string[]) => {
    headerWritten = true;
    return upload.write(csvLine(cells.header(names)));
  };
  let bytesWritten: number;
  let rowsExpected: number;
  try {
    const endMarker = await readSegmentCsv(
      readers,
      {
        partitions,
        importId: input.importId,
        userSegmentationId: input.userSegmentationId,
        startOffsets,
        endMarkerTimeoutMs: deps.config.endMarkerTimeoutMs,
        formulaEscaping: input.formulaEscaping,
      },
      {
        header: writeHeader,
        // A step waiting for a callback hears from the export as rows go out (at most once an interval).
        rows: async (csv) => {
          await upload.write(csv);
          await deps.heartbeat();
        },
      },
      progress,
    );
    rowsExpected = endMarker.rowsProduced;
    // An import without rows: a user_id-only header.
    if (!headerWritten) await writeHeader([]);
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
