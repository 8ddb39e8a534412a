/**
 * `npm run bench`: every benchmark, side by side with its reference tool in the same run, written to
 * bench/results.json and printed as tables. Never part of `npm test`.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { openBenchEnv } from './bench-env.ts';
import { runCompileBench } from './compile-workflow.ts';
import { runExportBench } from './export-throughput.ts';
import { runParseFloorBench } from './import/parse-floor.ts';
import { runShardBench } from './import-shards.ts';
import { runImportBench } from './import-throughput.ts';

const results: Record<string, unknown> = { measuredAt: new Date().toISOString(), node: process.version };

console.log(
  'DSL: compile and validate a generated workflow of 1,000 states (median ms; reference: asl-validator)',
);
results.compileWorkflow = runCompileBench();
console.table(results.compileWorkflow);

// The figures are only comparable on a quiet machine: record how busy it was when the run began.
const loadAtStart = os.loadavg().map((load) => Math.round(load * 100) / 100);
results.loadAverageAtStart = loadAtStart;
if (loadAtStart[0]! >= 1)
  results.machine = `loaded (1-minute load average ${loadAtStart[0]} on ${os.availableParallelism()} cores at the start): not reference figures; re-run on an idle machine`;
console.log(
  "Import's parse floor (no Kafka): 1,000,000 and 5,000,000 rows (reference: csv-parse alone on the same file)",
);
results.parseFloor = await runParseFloorBench();

const env = await openBenchEnv();
try {
  console.log('Import: 1,000,000 and 5,000,000 rows into Kafka (reference: kcat -P on the same broker)');
  const imports = await runImportBench(env);
  results.importThroughput = imports.figures;
  console.log('Export: 1,000,000 rows back to S3 (reference: kcat -C read_committed on the same topic)');
  results.exportThroughput = await runExportBench(env, imports);
  console.log(
    'Sharded import: the workflow with 1, 2 and 4 shards of 1,000,000 rows (reference: the one-shard run)',
  );
  results.importShards = await runShardBench(env);
} finally {
  env.close();
}
results.loadAverageAtEnd = os.loadavg().map((load) => Math.round(load * 100) / 100);

await writeFile(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
console.log('written bench/results.json');
