/**
 * `npm run bench`: every benchmark, side by side with its reference tool in the same run, written to
 * bench/results.json and printed as tables. Never part of `npm test`.
 */
import { writeFile } from 'node:fs/promises';
import { runCompileBench } from './compile-workflow.ts';
import { runParseFloorBench } from './import/parse-floor.ts';
import { runImportBench } from './import-throughput.ts';

const results: Record<string, unknown> = { measuredAt: new Date().toISOString(), node: process.version };

console.log(
  'DSL: compile and validate a generated workflow of 1,000 states (median ms; reference: asl-validator)',
);
results.compileWorkflow = runCompileBench();
console.table(results.compileWorkflow);

console.log(
  "Import's parse floor (no Kafka): 1,000,000 and 5,000,000 rows (reference: csv-parse alone on the same file)",
);
results.parseFloor = await runParseFloorBench();

console.log('Import: 1,000,000 and 5,000,000 rows into Kafka (reference: kcat -P on the same broker)');
results.importThroughput = await runImportBench();

await writeFile(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
console.log('written bench/results.json');
