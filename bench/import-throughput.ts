// Import throughput and memory: the import-audience job (the built Fargate entry, as a child process) against
// `kcat -P` producing the same file to the same broker. Run alone with `npx tsx bench/import-throughput.ts`.
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createStatusTable } from '../jobs/audience-status/table.ts';
import { dynamodbClient, s3Client } from '../jobs/runtime/clients.ts';
import { runtimeConfig } from '../jobs/runtime/config.ts';
import { kafkaClient } from '../jobs/runtime/kafka-client.ts';
import { ensureTopic } from '../jobs/runtime/topics.ts';
import { ensureLocalServices } from '../local/services/index.ts';
import { buildJobs } from '../scripts/build-jobs.ts';
import { measureProcess, type ProcessRun } from './import/measure.ts';
import { writeUsersFile } from './import/users-file.ts';

const PARTITIONS = 6;

interface ImportRun {
  rows: number;
  fileMiB: number;
  /** Wall time of the process, start-up included. */
  seconds: number;
  /** Time the job itself reports (S3 open to last commit). */
  jobSeconds: number;
  rowsPerSecond: number;
  peakRssMiB: number;
}

function summaryOf(run: ProcessRun): Record<string, unknown> {
  const last = run.stdout.trim().split('\n').at(-1) ?? '{}';
  const summary = JSON.parse(last) as Record<string, unknown>;
  if (run.exitCode !== 0)
    throw new Error(`import failed (exit ${run.exitCode}): ${last}\n${run.stderr.slice(-2000)}`);
  return summary;
}

/** Imports 1,000,000 rows from S3 and kcat-produces the same file; then 5,000,000 rows for the RSS figure. */
export async function runImportBench(
  options: { rows?: number; bigRows?: number } = {},
): Promise<Record<string, unknown>> {
  const rows = options.rows ?? 1_000_000;
  const bigRows = options.bigRows ?? 5_000_000;
  await ensureLocalServices();
  const config = runtimeConfig(process.env);
  const work = mkdtempSync(join(tmpdir(), 'import-bench-'));
  const s3 = s3Client(config);
  const dynamodb = dynamodbClient(config);
  const kafka = kafkaClient(config, 'import-bench');
  const admin = kafka.kafkajs.admin();
  try {
    const dist = join(work, 'dist');
    await buildJobs(dist);
    const stamp = Date.now().toString(36);
    const bucket = `import-bench-${stamp}`;
    const statusTable = `import-bench-status-${stamp}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await createStatusTable(dynamodb, statusTable);
    await admin.connect();

    const importFrom = async (
      count: number,
      label: string,
    ): Promise<ImportRun & { file: string; bytes: number }> => {
      const file = join(work, `${label}.csv`);
      const bytes = await writeUsersFile(file, count);
      const key = `imports/${label}.csv`;
      await new Upload({
        client: s3,
        params: { Bucket: bucket, Key: key, Body: createReadStream(file) },
      }).done();
      const topic = `import-bench-${label}-${stamp}`;
      await ensureTopic(admin, topic, PARTITIONS);
      const run = await measureProcess(process.execPath, [join(dist, 'jobs.mjs'), 'import-audience'], {
        ...process.env,
        AUDIENCE_TOPIC: topic,
        STATUS_TABLE: statusTable,
        IMPORT_ID: `${label}-${stamp}`,
        USER_SEGMENTATION_ID: 'bench',
        S3_BUCKET: bucket,
        S3_KEY: key,
      });
      const output = summaryOf(run).output as { rowsProduced: number; seconds: number };
      if (output.rowsProduced !== count)
        throw new Error(`${label}: produced ${output.rowsProduced} of ${count} rows`);
      return {
        rows: count,
        file,
        bytes,
        fileMiB: Math.round((bytes / 2 ** 20) * 10) / 10,
        seconds: run.wallSeconds,
        jobSeconds: output.seconds,
        rowsPerSecond: Math.round(count / run.wallSeconds),
        peakRssMiB: run.peakRssMiB,
      };
    };

    const small = await importFrom(rows, 'rows-1m');
    // kcat: one message per line, key = user_id, acks=all, to a topic of the same partition count.
    const kcatTopic = `import-bench-kcat-${stamp}`;
    await ensureTopic(admin, kcatTopic, PARTITIONS);
    const kcat = await measureProcess(
      'kcat',
      [
        '-P',
        '-b',
        config.kafkaBrokers.join(','),
        '-t',
        kcatTopic,
        '-K',
        ',',
        '-X',
        'acks=all',
        '-l',
        small.file,
      ],
      process.env,
    );
    if (kcat.exitCode !== 0)
      throw new Error(`kcat failed (exit ${kcat.exitCode}): ${kcat.stderr.slice(-1000)}`);
    const kcatRowsPerSecond = Math.round((rows + 1) / kcat.wallSeconds);
    rmSync(small.file);
    const big = await importFrom(bigRows, 'rows-5m');
    rmSync(big.file);

    const figures = {
      rows,
      fileMiB: small.fileMiB,
      importSeconds: Math.round(small.seconds * 100) / 100,
      importRowsPerSecond: small.rowsPerSecond,
      importJobSeconds: Math.round(small.jobSeconds * 100) / 100,
      kcatSeconds: Math.round(kcat.wallSeconds * 100) / 100,
      kcatRowsPerSecond,
      importToKcatRatio: Math.round((small.rowsPerSecond / kcatRowsPerSecond) * 100) / 100,
      peakRssMiB: small.peakRssMiB,
      bigRows,
      bigFileMiB: big.fileMiB,
      bigImportRowsPerSecond: big.rowsPerSecond,
      bigPeakRssMiB: big.peakRssMiB,
      rssGrowth: Math.round((big.peakRssMiB / small.peakRssMiB - 1) * 100) / 100,
      fileSource: 'file:// sources are not supported by import-audience (input is s3Bucket/s3Key); S3 only',
    };
    printTable(figures);
    return figures;
  } finally {
    await admin.disconnect().catch(() => undefined);
    s3.destroy();
    dynamodb.destroy();
    rmSync(work, { recursive: true, force: true });
  }
}

function printTable(f: Record<string, unknown>): void {
  const rows: [string, string, string, string][] = [
    ['run', 'rows', 'rows/s', 'peak RSS MiB'],
    ['import-audience (S3 → Kafka)', String(f.rows), String(f.importRowsPerSecond), String(f.peakRssMiB)],
    ['kcat -P (file → Kafka)', String(f.rows), String(f.kcatRowsPerSecond), '-'],
    [
      'import-audience (S3 → Kafka)',
      String(f.bigRows),
      String(f.bigImportRowsPerSecond),
      String(f.bigPeakRssMiB),
    ],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows)
    process.stdout.write(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ') + '\n');
  process.stdout.write(
    `import/kcat throughput ratio: ${f.importToKcatRatio} (goal ≥ 0.5); RSS growth 1M → 5M rows: ${Math.round(Number(f.rssGrowth) * 100)}% (goal ≤ 20%)\n`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? undefined : Number(process.argv[i + 1]);
  };
  const figures = await runImportBench({ rows: arg('--rows'), bigRows: arg('--big-rows') });
  process.stdout.write(JSON.stringify(figures) + '\n');
  process.exit(0);
}
