// Export throughput: the export-audience job (the built Fargate entry, as a child process) beside `kcat -C` reading
// the same topic read_committed, the same export on one CPU, and from a topic where 5M records of another import
// come first; with the read paths' floors (the Confluent client's native consumer, the export's own fetcher).
import { run as sendEndMarker } from '../jobs/send-end-marker/run.ts';
import { BENCH_PARTITIONS, type BenchEnv, median, round2 } from './bench-env.ts';
import type { ProcessRun } from './import/measure.ts';
import { writeTable } from './import/table.ts';
import type { BenchImport } from './import-throughput.ts';
import { consumeFloor } from './kafka/consume-floor.ts';
import { runDecodeContenders } from './kafka/decode-contenders.ts';
import { fetchFloor } from './kafka/fetch-floor.ts';
import { kcatConsume } from './kafka/kcat.ts';

/** Runs of the export and of kcat -C; the figures are their medians. */
const RUNS = 3;

async function closeImport(env: BenchEnv, source: BenchImport): Promise<void> {
  await sendEndMarker(
    { jobId: source.importId, jobKind: 'import', userSegmentationId: 'bench' },
    { ...env.deps, config: { ...env.deps.config, audienceTopic: source.topic } },
  );
}

/** Runs the export of `source` (on CPUs `cpuList` only, when given); wall and job seconds, peak RSS. */
async function exportImport(env: BenchEnv, source: BenchImport, label: string, cpuList?: string) {
  const exportId = `${label}-${env.stamp}`;
  const { run, output } = await env.runJob(
    'export-audience',
    {
      AUDIENCE_TOPIC: source.topic,
      EXPORT_ID: exportId,
      USER_SEGMENTATION_ID: 'bench',
      IMPORT_ID: source.importId,
      S3_BUCKET: env.bucket,
      S3_KEY: `exports/${exportId}.csv`,
    },
    cpuList,
  );
  if (output.rowsExported !== source.rows)
    throw new Error(`${exportId}: exported ${output.rowsExported} of ${source.rows} rows`);
  return { seconds: run.wallSeconds, jobSeconds: output.seconds!, peakRssMiB: run.peakRssMiB };
}

/**
 * Exports the import that has a topic of its own (on every CPU, then on one), reads that topic with `kcat -C`
 * (read_committed, to its end) and with each client's bare reader, then exports the same rows imported after 5M
 * other records.
 */
export async function runExportBench(
  env: BenchEnv,
  imports: { own: BenchImport; crowded: BenchImport },
): Promise<Record<string, unknown>> {
  await closeImport(env, imports.own);
  await closeImport(env, imports.crowded);
  const rows = imports.own.rows;
  // Medians of 3, the export and its reference taking turns, so a busy moment does not decide the ratio.
  const exports: Awaited<ReturnType<typeof exportImport>>[] = [];
  const kcats: ProcessRun[] = [];
  for (let attempt = 0; attempt < RUNS; attempt++) {
    exports.push(await exportImport(env, imports.own, `own-${attempt}`));
    kcats.push(await kcatConsume(env.brokers, imports.own.topic));
  }
  const own = median(exports, (run) => run.seconds);
  const kcat = median(kcats, (run) => run.wallSeconds);
  const oneCpu = await exportImport(env, imports.own, 'own-1cpu', '0');
  // The import's records plus one end marker per partition.
  const records = rows + BENCH_PARTITIONS;
  const native = await consumeFloor(env.deps.kafka, imports.own.topic);
  const fetch = await fetchFloor(env.deps.kafka, imports.own.topic, BENCH_PARTITIONS, records);
  const crowdedRuns = [];
  for (let attempt = 0; attempt < RUNS; attempt++)
    crowdedRuns.push(await exportImport(env, imports.crowded, `crowded-${attempt}`));
  const crowded = median(crowdedRuns, (run) => run.seconds);
  const decode = runDecodeContenders();
  const kcatRowsPerSecond = Math.round(rows / kcat.wallSeconds);
  const perSecond = (seconds: number) => Math.round(rows / seconds);
  const figures = {
    rows,
    exportSeconds: round2(own.seconds),
    exportJobSeconds: round2(own.jobSeconds),
    exportRowsPerSecond: perSecond(own.seconds),
    exportPeakRssMiB: own.peakRssMiB,
    kcatConsumeSeconds: round2(kcat.wallSeconds),
    kcatConsumeRowsPerSecond: kcatRowsPerSecond,
    exportToKcatRatio: round2(kcat.wallSeconds / own.seconds),
    oneCpuExportSeconds: round2(oneCpu.seconds),
    oneCpuExportRowsPerSecond: perSecond(oneCpu.seconds),
    oneCpuExportToKcatRatio: round2(kcat.wallSeconds / oneCpu.seconds),
    oneCpuExportPeakRssMiB: oneCpu.peakRssMiB,
    // Each client's bare reader on one thread (records handed to JavaScript, nothing else).
    nativeConsumeOnlyRecordsPerSecond: Math.round(native.records / native.seconds),
    nativeConsumeOnlyToKcatRatio: round2(native.records / native.seconds / kcatRowsPerSecond),
    fetcherOnlyRecordsPerSecond: Math.round(fetch.records / fetch.seconds),
    fetcherOnlyCpuMicrosecondsPerRecord: round2((fetch.cpuSeconds / fetch.records) * 1e6),
    fetcherOnlyToKcatRatio: round2(fetch.records / fetch.seconds / kcatRowsPerSecond),
    // A reader's work per record without Kafka (decode, JSON parse, CSV line): decoded by @platformatic/kafka, or
    // read from the bytes as the export does.
    readerCpuMicrosecondsPerRecordLibraryDecode: decode.libraryMicrosecondsPerRecord,
    readerCpuMicrosecondsPerRecordScannedBytes: decode.scanMicrosecondsPerRecord,
    readerCpuMicrosecondsPerRecordLinesFromBytes: decode.bytesMicrosecondsPerRecord,
    crowdedExportSeconds: round2(crowded.seconds),
    crowdedExportJobSeconds: round2(crowded.jobSeconds),
    crowdedToOwnTimeRatio: round2(crowded.seconds / own.seconds),
  };
  writeTable([
    ['run', 'seconds', 'rows/s', 'ratio'],
    [
      'export-audience, topic of its own',
      String(figures.exportSeconds),
      String(figures.exportRowsPerSecond),
      `${figures.exportToKcatRatio} of kcat`,
    ],
    [
      'export-audience, one CPU',
      String(figures.oneCpuExportSeconds),
      String(figures.oneCpuExportRowsPerSecond),
      `${figures.oneCpuExportToKcatRatio} of kcat`,
    ],
    [
      '@platformatic/kafka fetch alone, one thread',
      String(round2(fetch.seconds)),
      String(figures.fetcherOnlyRecordsPerSecond),
      `${figures.fetcherOnlyToKcatRatio} of kcat`,
    ],
    [
      'Confluent native consumer alone',
      String(round2(native.seconds)),
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
      String(perSecond(crowded.seconds)),
      `${figures.crowdedToOwnTimeRatio} × own time`,
    ],
  ]);
  process.stdout.write(
    `export/kcat: ${figures.exportToKcatRatio} (goal ≥ 0.5); crowded/own time: ${figures.crowdedToOwnTimeRatio} (goal ≤ 1.2); export peak RSS ${figures.exportPeakRssMiB} MiB; a reader's CPU per record: ${decode.libraryMicrosecondsPerRecord} µs decoded by @platformatic/kafka and JSON.parse, ${decode.scanMicrosecondsPerRecord} µs batches read from the bytes and JSON.parse, ${decode.bytesMicrosecondsPerRecord} µs lines written from the bytes (the export's way)\n`,
  );
  return figures;
}
