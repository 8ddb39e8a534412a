// The import's parse floor: what reading costs without Kafka (read the file, scan, validate, drop duplicates,
// encode each row's JSON record), beside csv-parse alone on the same file, each in its own process (for its peak
// RSS). Run alone with `npx tsx bench/import/parse-floor.ts [--rows N] [--big-rows M]`.
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';
import { csvBytes } from '../../jobs/import-audience/csv-bytes.ts';
import { CsvRows } from '../../jobs/import-audience/csv-rows.ts';
import { CsvScanner } from '../../jobs/import-audience/csv-scanner.ts';
import { MAX_ROW_BYTES } from '../../jobs/import-audience/row-rules.ts';
import { rowEstimate } from '../../jobs/import-audience/source-object.ts';
import { measureProcess } from './measure.ts';
import { writeTable } from './table.ts';
import { writeUsersFile } from './users-file.ts';

/** What runs: the whole reading side, our scanner alone, or csv-parse alone (records counted). */
type Contender = 'parse-floor' | 'scanner' | 'csv-parse';

/** One contender on one file, in this process: rows and seconds. */
async function runContender(
  contender: Contender,
  file: string,
  size: number,
): Promise<{ rows: number; seconds: number; cpuSeconds: number; idTableBytes?: number }> {
  const started = process.hrtime.bigint();
  const cpuAtStart = process.cpuUsage();
  let rows = 0;
  let idTableBytes: number | undefined;
  const body = createReadStream(file, { highWaterMark: 64 * 1024 });
  if (contender === 'csv-parse') {
    for await (const _record of body.pipe(parse())) rows++;
    rows--; // the header
  } else if (contender === 'scanner') {
    const scanner = new CsvScanner(
      { record: () => rows++, failure: () => undefined },
      { maxRecordBytes: MAX_ROW_BYTES },
    );
    for await (const chunk of body) scanner.push(chunk as Buffer);
    scanner.end();
    rows--; // the header
  } else {
    const reader = await CsvRows.create({ estimateRows: (read, bytes) => rowEstimate(size, read, bytes) });
    let bytes = 0;
    for await (const item of reader.rows(csvBytes(body, { name: file }))) {
      if (item.kind === 'rejected') throw new Error(`line ${item.line}: ${item.reason}`);
      const value = JSON.stringify({
        type: 'user',
        userSegmentationId: 'bench',
        userId: item.userId,
        attributes: item.attributes,
        importId: 'bench',
      });
      bytes += Buffer.byteLength(value);
      rows++;
    }
    if (bytes === 0 && rows > 0) throw new Error('nothing encoded');
    idTableBytes = reader.userIds.bytes;
  }
  const cpu = process.cpuUsage(cpuAtStart);
  return {
    rows,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    ...(idTableBytes === undefined ? {} : { idTableBytes }),
  };
}

/** One contender on one file, measured in its own process. */
interface ContenderRun {
  contender: Contender;
  rows: number;
  rowsPerSecond: number;
  /** Rows per second of the process's own CPU time (user + system): steadier than wall time on a busy machine. */
  rowsPerCpuSecond: number;
  peakRssMiB: number;
  /** The duplicate table's bytes per row at the end (parse floor only). */
  idTableBytesPerRow?: number;
}

async function measure(contender: Contender, file: string, size: number): Promise<ContenderRun> {
  const run = await measureProcess(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', contender, file, String(size)],
    process.env,
  );
  if (run.exitCode !== 0)
    throw new Error(`${contender} failed (exit ${run.exitCode}): ${run.stderr.slice(-2000)}`);
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
    rows: number;
    seconds: number;
    cpuSeconds: number;
    idTableBytes?: number;
  };
  return {
    contender,
    rows: result.rows,
    rowsPerSecond: Math.round(result.rows / result.seconds),
    rowsPerCpuSecond: Math.round(result.rows / result.cpuSeconds),
    peakRssMiB: run.peakRssMiB,
    ...(result.idTableBytes === undefined
      ? {}
      : { idTableBytesPerRow: Math.round((result.idTableBytes / result.rows) * 10) / 10 }),
  };
}

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

/**
 * The parse floor beside our scanner alone and csv-parse alone on the same file, at `rows` rows, then the parse
 * floor and csv-parse at `bigRows` rows (the parse floor's peak RSS there shows the duplicate table's memory).
 */
export async function runParseFloorBench(
  options: { rows?: number; bigRows?: number } = {},
): Promise<Record<string, unknown>> {
  const work = mkdtempSync(join(tmpdir(), 'parse-floor-'));
  try {
    const runs: ContenderRun[] = [];
    const plan: [number, Contender[]][] = [
      [options.rows ?? 1_000_000, ['parse-floor', 'scanner', 'csv-parse']],
      [options.bigRows ?? 5_000_000, ['parse-floor', 'csv-parse']],
    ];
    for (const [count, contenders] of plan) {
      const file = join(work, `users-${count}.csv`);
      const size = await writeUsersFile(file, count);
      for (const contender of contenders) {
        const run = await measure(contender, file, size);
        if (run.rows !== count) throw new Error(`${contender}: ${run.rows} rows of ${count}`);
        runs.push(run);
      }
      rmSync(file);
    }
    const find = (contender: Contender, index: number) =>
      runs.filter((r) => r.contender === contender)[index]!;
    const figures = {
      runs,
      parseFloorToCsvParseCpuRatio: ratio(
        find('parse-floor', 0).rowsPerCpuSecond,
        find('csv-parse', 0).rowsPerCpuSecond,
      ),
      scannerToCsvParseCpuRatio: ratio(
        find('scanner', 0).rowsPerCpuSecond,
        find('csv-parse', 0).rowsPerCpuSecond,
      ),
      bigParseFloorToCsvParseCpuRatio: ratio(
        find('parse-floor', 1).rowsPerCpuSecond,
        find('csv-parse', 1).rowsPerCpuSecond,
      ),
    };
    printTable(figures);
    return figures;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function printTable(f: { runs: ContenderRun[] } & Record<string, unknown>): void {
  const names: Record<Contender, string> = {
    'parse-floor': 'parse floor (read, scan, validate, dedupe, JSON)',
    scanner: 'scanner alone (read, scan)',
    'csv-parse': 'csv-parse alone (read, parse)',
  };
  const rows: string[][] = [
    ['run', 'rows', 'rows/s', 'rows/CPU-s', 'peak RSS MiB', 'id table B/row'],
    ...f.runs.map((r) => [
      names[r.contender],
      String(r.rows),
      String(r.rowsPerSecond),
      String(r.rowsPerCpuSecond),
      String(r.peakRssMiB),
      r.idTableBytesPerRow === undefined ? '-' : String(r.idTableBytesPerRow),
    ]),
  ];
  writeTable(rows);
  process.stdout.write(
    `per CPU-second: parse floor / csv-parse ${f.parseFloorToCsvParseCpuRatio}, scanner / csv-parse ${f.scannerToCsvParseCpuRatio} (goal: parse floor well above 300,000 rows/s on one core)\n`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const childAt = process.argv.indexOf('--child');
  if (childAt !== -1) {
    const [contender, file, size] = process.argv.slice(childAt + 1) as [Contender, string, string];
    process.stdout.write(`${JSON.stringify(await runContender(contender, file, Number(size)))}\n`);
  } else {
    const arg = (name: string) => {
      const i = process.argv.indexOf(name);
      return i === -1 ? undefined : Number(process.argv[i + 1]);
    };
    await runParseFloorBench({ rows: arg('--rows'), bigRows: arg('--big-rows') });
  }
}
