// Import throughput and memory: the import-audience job (the built Fargate entry, as a child process) beside
// `kcat -P` producing to the same broker, once the raw CSV lines and once the very records the job produces.
// Run alone with `npx tsx bench/import-throughput.ts [--rows N] [--big-rows N]`.
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchEnv, median, openBenchEnv, round2 } from './bench-env.ts';
import { writeTable } from './import/table.ts';
import { writeUsersFile, writeUsersPayloadFile } from './import/users-file.ts';
import { kcatProduce } from './kafka/kcat.ts';

/** One import of the benchmark, for the export benchmark to read back. */
export interface BenchImport {
  importId: string;
  topic: string;
  rows: number;
}

/** Runs of the import and of its reference (kcat -P, the same payload); the figures are their medians. */
const RUNS = 3;

interface ImportRun extends BenchImport {
  /** Wall time of the process, start-up included. */
  seconds: number;
  /** Time the job itself reports (S3 open to last commit). */
  jobSeconds: number;
  rowsPerSecond: number;
  peakRssMiB: number;
}

async function importObject(
  env: BenchEnv,
  key: string,
  rows: number,
  importId: string,
  topic: string,
  extraEnv: Record<string, string> = {},
) {
  await env.createTopic(topic);
  const { run, output } = await env.runJob('import-audience', {
    ...extraEnv,
    AUDIENCE_TOPIC: topic,
    IMPORT_ID: importId,
    USER_SEGMENTATION_ID: 'bench',
    S3_BUCKET: env.bucket,
    S3_KEY: key,
  });
  if (output.rowsProduced !== rows)
    throw new Error(`${importId}: produced ${output.rowsProduced} of ${rows} rows`);
  return {
    importId,
    topic,
    rows,
    seconds: run.wallSeconds,
    jobSeconds: output.seconds!,
    rowsPerSecond: Math.round(rows / run.wallSeconds),
    peakRssMiB: run.peakRssMiB,
  } satisfies ImportRun;
}

/**
 * Imports `rows` rows from S3 and kcat-produces the same rows twice (raw CSV lines; the job's own records and
 * header, pre-encoded); then `bigRows` rows for the peak-RSS figure into a topic that then also gets a second
 * import of the `rows` file. Returns the figures and both `rows` imports (own topic, crowded topic).
 */
export async function runImportBench(
  env: BenchEnv,
  options: { rows?: number; bigRows?: number } = {},
): Promise<{ figures: Record<string, unknown>; own: BenchImport; crowded: BenchImport }> {
  const rows = options.rows ?? 1_000_000;
  const bigRows = options.bigRows ?? 5_000_000;
  const { stamp } = env;
  const small = join(env.work, 'rows.csv');
  const bytes = await writeUsersFile(small, rows);
  await env.upload(small, 'imports/rows.csv');
  // One import first, not counted: the broker, the emulator and the page cache warm up on it, so the runs below
  // differ only by what they measure (the first of a run was 20-30 % slower).
  await importObject(env, 'imports/rows.csv', rows, `warm-${stamp}`, `bench-warm-${stamp}`);
  const ownRuns: ImportRun[] = [];
  for (let attempt = 0; attempt < RUNS; attempt++)
    ownRuns.push(
      await importObject(
        env,
        'imports/rows.csv',
        rows,
        `own${attempt}-${stamp}`,
        `bench-own${attempt}-${stamp}`,
      ),
    );
  const own = median(ownRuns, (run) => run.seconds);
  // Parsing beside producing: the same rows parsed in the job's thread (0), and in 1 and 2 worker threads.
  const byWorkers: Record<string, number> = {};
  for (const workers of [0, 1, 2]) {
    const run = await importObject(
      env,
      'imports/rows.csv',
      rows,
      `w${workers}-${stamp}`,
      `bench-w${workers}-${stamp}`,
      {
        IMPORT_PARSER_WORKERS: String(workers),
      },
    );
    byWorkers[String(workers)] = run.rowsPerSecond;
  }

  // kcat: key = user_id, acks=all, to topics of the same partition count.
  const rawTopic = `bench-kcat-csv-${stamp}`;
  await env.createTopic(rawTopic);
  const kcatRaw = await kcatProduce(env.brokers, rawTopic, small, { keyDelimiter: ',' });
  const payload = join(env.work, 'payload.txt');
  await writeUsersPayloadFile(payload, rows, { importId: `kcat-${stamp}`, userSegmentationId: 'bench' });
  const payloadRuns = [];
  for (let attempt = 0; attempt < RUNS; attempt++) {
    const payloadTopic = `bench-kcat-payload${attempt}-${stamp}`;
    await env.createTopic(payloadTopic);
    const run = await kcatProduce(env.brokers, payloadTopic, payload, {
      keyDelimiter: '\t',
      headers: ['record-type=user'],
    });
    payloadRuns.push(run);
  }
  const kcatPayload = median(payloadRuns, (run) => run.wallSeconds);
  rmSync(payload);

  const bigFile = join(env.work, 'big.csv');
  const bigBytes = await writeUsersFile(bigFile, bigRows);
  await env.upload(bigFile, 'imports/big.csv');
  rmSync(bigFile);
  const crowdedTopic = `bench-crowded-${stamp}`;
  const big = await importObject(env, 'imports/big.csv', bigRows, `big-${stamp}`, crowdedTopic);
  // The same 1M rows again, after 5M records of another import: what the export has to find its way through.
  const crowded = await importObject(env, 'imports/rows.csv', rows, `crowded-${stamp}`, crowdedTopic);
  rmSync(small);

  const kcatRawRowsPerSecond = Math.round(rows / kcatRaw.wallSeconds);
  const kcatPayloadRowsPerSecond = Math.round(rows / kcatPayload.wallSeconds);
  const figures = {
    rows,
    fileMiB: round2(bytes / 2 ** 20),
    importSeconds: round2(own.seconds),
    importJobSeconds: round2(own.jobSeconds),
    importRowsPerSecond: own.rowsPerSecond,
    kcatRawCsvSeconds: round2(kcatRaw.wallSeconds),
    kcatRawCsvRowsPerSecond: kcatRawRowsPerSecond,
    kcatSamePayloadSeconds: round2(kcatPayload.wallSeconds),
    kcatSamePayloadRowsPerSecond: kcatPayloadRowsPerSecond,
    importToKcatSamePayloadRatio: round2(own.rowsPerSecond / kcatPayloadRowsPerSecond),
    importToKcatRawCsvRatio: round2(own.rowsPerSecond / kcatRawRowsPerSecond),
    peakRssMiB: own.peakRssMiB,
    bigRows,
    bigFileMiB: round2(bigBytes / 2 ** 20),
    bigImportRowsPerSecond: big.rowsPerSecond,
    bigPeakRssMiB: big.peakRssMiB,
    rssGrowth: round2(big.peakRssMiB / own.peakRssMiB - 1),
    secondImportIntoCrowdedTopicRowsPerSecond: crowded.rowsPerSecond,
    rowsPerSecondByParserWorkers: byWorkers,
  };
  printTable(figures);
  return { figures, own, crowded };
}

function printTable(f: Record<string, unknown>): void {
  const rows: string[][] = [
    ['run', 'rows', 'rows/s', 'vs kcat same payload', 'peak RSS MiB'],
    [
      'import-audience (S3 → Kafka)',
      String(f.rows),
      String(f.importRowsPerSecond),
      String(f.importToKcatSamePayloadRatio),
      String(f.peakRssMiB),
    ],
    ["kcat -P, the job's records", String(f.rows), String(f.kcatSamePayloadRowsPerSecond), '1', '-'],
    ...Object.entries(f.rowsPerSecondByParserWorkers as Record<string, number>).map(([workers, rate]) => [
      `import-audience, ${workers === '0' ? 'parsing in its own thread' : `${workers} parser worker(s)`}`,
      String(f.rows),
      String(rate),
      String(round2(rate / Number(f.kcatSamePayloadRowsPerSecond))),
      '-',
    ]),
    ['kcat -P, raw CSV lines', String(f.rows), String(f.kcatRawCsvRowsPerSecond), '-', '-'],
    [
      'import-audience (S3 → Kafka)',
      String(f.bigRows),
      String(f.bigImportRowsPerSecond),
      '-',
      String(f.bigPeakRssMiB),
    ],
  ];
  writeTable(rows);
  process.stdout.write(
    `import/kcat (same payload): ${f.importToKcatSamePayloadRatio} (goal ≥ 0.15, aim 0.25); RSS growth 1M → 5M rows: ${Math.round(Number(f.rssGrowth) * 100)}% (goal ≤ 20%; the duplicate table grows ~30 bytes a row)\n`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? undefined : Number(process.argv[i + 1]);
  };
  const env = await openBenchEnv();
  try {
    const { figures } = await runImportBench(env, { rows: arg('--rows'), bigRows: arg('--big-rows') });
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    env.close();
  }
  process.exit(0);
}
