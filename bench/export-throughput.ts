// Export throughput: the export-audience job (the built Fargate entry, as a child process) beside `kcat -C` reading
// the same topic read_committed, and the same export from a topic where 5M records of another import come first.
import { run as sendEndMarker } from '../jobs/send-end-marker/run.ts';
import { type BenchEnv, round2 } from './bench-env.ts';
import type { BenchImport } from './import-throughput.ts';
import { consumeFloor } from './kafka/consume-floor.ts';
import { kcatConsume } from './kafka/kcat.ts';

async function exportImport(env: BenchEnv, source: BenchImport, label: string) {
  await sendEndMarker(
    { jobId: source.importId, jobKind: 'import', userSegmentationId: 'bench' },
    { ...env.deps, config: { ...env.deps.config, audienceTopic: source.topic } },
  );
  const exportId = `${label}-${env.stamp}`;
  const { run, output } = await env.runJob('export-audience', {
    AUDIENCE_TOPIC: source.topic,
    EXPORT_ID: exportId,
    USER_SEGMENTATION_ID: 'bench',
    IMPORT_ID: source.importId,
    S3_BUCKET: env.bucket,
    S3_KEY: `exports/${exportId}.csv`,
  });
  if (output.rowsExported !== source.rows)
    throw new Error(`${exportId}: exported ${output.rowsExported} of ${source.rows} rows`);
  return { seconds: run.wallSeconds, jobSeconds: output.seconds!, peakRssMiB: run.peakRssMiB };
}

/**
 * Exports the import that has a topic of its own and the same rows imported after 5M other records, and reads
 * the first topic with `kcat -C` (read_committed, to its end).
 */
export async function runExportBench(
  env: BenchEnv,
  imports: { own: BenchImport; crowded: BenchImport },
): Promise<Record<string, unknown>> {
  const own = await exportImport(env, imports.own, 'own');
  const kcat = await kcatConsume(env.brokers, imports.own.topic);
  const floor = await consumeFloor(env.deps.kafka, imports.own.topic);
  const crowded = await exportImport(env, imports.crowded, 'crowded');
  const rows = imports.own.rows;
  const exportRowsPerSecond = Math.round(rows / own.seconds);
  const kcatRowsPerSecond = Math.round(rows / kcat.wallSeconds);
  const figures = {
    rows,
    exportSeconds: round2(own.seconds),
    exportJobSeconds: round2(own.jobSeconds),
    exportRowsPerSecond,
    exportPeakRssMiB: own.peakRssMiB,
    kcatConsumeSeconds: round2(kcat.wallSeconds),
    kcatConsumeRowsPerSecond: kcatRowsPerSecond,
    exportToKcatRatio: round2(exportRowsPerSecond / kcatRowsPerSecond),
    // The client's consumer alone (records handed to JavaScript, nothing else): what any export here can reach.
    nativeConsumeOnlyRecordsPerSecond: Math.round(floor.records / floor.seconds),
    nativeConsumeOnlyToKcatRatio: round2(floor.records / floor.seconds / kcatRowsPerSecond),
    crowdedExportSeconds: round2(crowded.seconds),
    crowdedExportJobSeconds: round2(crowded.jobSeconds),
    crowdedToOwnTimeRatio: round2(crowded.seconds / own.seconds),
  };
  const table = [
    ['run', 'seconds', 'rows/s', 'ratio'],
    [
      'export-audience, topic of its own',
      String(figures.exportSeconds),
      String(exportRowsPerSecond),
      `${figures.exportToKcatRatio} of kcat`,
    ],
    [
      'native consumer alone, same topic',
      String(round2(floor.seconds)),
      String(figures.nativeConsumeOnlyRecordsPerSecond),
      `${figures.nativeConsumeOnlyToKcatRatio} of kcat`,
    ],
    [
      'kcat -C read_committed, same topic',
      String(figures.kcatConsumeSeconds),
      String(kcatRowsPerSecond),
      '1',
    ],
    [
      'export-audience, after 5M other records',
      String(figures.crowdedExportSeconds),
      String(Math.round(rows / crowded.seconds)),
      `${figures.crowdedToOwnTimeRatio} × own time`,
    ],
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  for (const row of table)
    process.stdout.write(`${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}\n`);
  process.stdout.write(
    `export/kcat: ${figures.exportToKcatRatio} (goal ≥ 0.5); crowded/own time: ${figures.crowdedToOwnTimeRatio} (goal ≤ 1.2)\n`,
  );
  return figures;
}
