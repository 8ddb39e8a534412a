// Sharded import: the import workflow itself (plan, Distributed Map of Fargate tasks, reduce), run by the local
// runner with the file cut into 1, 2 and 4 byte-range shards, all shards at once (MaxConcurrency 4). Every task is
// a process of the built bundle, so the shards share this machine's cores as tasks would share none on AWS: the
// figures show what sharding costs (plan, fingerprint files, reduce) and how shards share CPUs, and per-task rows/s
// feeds the projection in jobs/README.md. Run alone with `npx tsx bench/import-shards.ts [--rows N]`.
import { mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { readStatusItem } from '../jobs/audience-status/table.ts';
import { runWorkflowLocally } from '../local/runner/execution.ts';
import { importAudienceWorkflow } from '../workflows/index.ts';
import { type BenchEnv, median, openBenchEnv, round2 } from './bench-env.ts';
import { writeTable } from './import/table.ts';
import { writeUsersFile } from './import/users-file.ts';

/** Shard counts measured side by side. */
const SHARD_COUNTS = [1, 2, 4] as const;
/** Runs of each shard count; the figures are their medians. */
const RUNS = 3;

interface ShardRun {
  shards: number;
  /** Start of the execution to its end: plan, shards, reduce, end marker. */
  seconds: number;
  rowsPerSecond: number;
  /** The Distributed Map alone (first shard started to last shard ended). */
  mapSeconds: number;
  /** The reduce step (CloseShardedImport): fingerprint merge, rejects, counts. */
  reduceSeconds: number;
}

/** Seconds between a state's first entry and its last exit in an execution's events. */
function stateSeconds(events: { type: string; state?: string; at: number }[], state: string): number {
  const entered = events.find((event) => event.type === 'state-entered' && event.state === state)?.at;
  const exited = events.findLast((event) => event.type === 'state-exited' && event.state === state)?.at;
  if (entered === undefined || exited === undefined) throw new Error(`${state} did not run`);
  return (exited - entered) / 1000;
}

/** Imports the object `key` (`rows` rows) through the workflow in `shards` shards; fails unless it reconciles. */
async function importSharded(
  env: BenchEnv,
  key: string,
  rows: number,
  shards: number,
  attempt: number,
): Promise<ShardRun> {
  const size = (await env.deps.s3.send(new HeadObjectCommand({ Bucket: env.bucket, Key: key })))
    .ContentLength!;
  const topic = `bench-shards${shards}-${attempt}-${env.stamp}`;
  await env.createTopic(topic);
  const importId = `shards${shards}-${attempt}-${env.stamp}`;
  const events: { type: string; state?: string; at: number }[] = [];
  const executionsDir = mkdtempSync(join(env.work, 'executions-'));
  const execution = await runWorkflowLocally(
    importAudienceWorkflow,
    { importId, userSegmentationId: 'bench', s3Bucket: env.bucket, s3Key: key },
    {
      env: {
        ...process.env,
        AUDIENCE_TOPIC: topic,
        AUDIENCE_TOPIC_PARTITIONS: '6',
        STATUS_TABLE: env.statusTable,
        // Never Lambda; shards of a size that makes `shards` of them (for one: two wanted, capped at one).
        IMPORT_LAMBDA_MAX_BYTES: '1',
        IMPORT_SHARD_BYTES: String(Math.ceil(size / Math.max(shards, 2))),
        IMPORT_MAX_SHARDS: String(shards),
        IMPORT_MAX_CONCURRENCY: String(shards),
      },
      executionsDir,
      onEvent: (event) => {
        if (event.type !== 'task-log') events.push(event as (typeof events)[number]);
      },
    },
  );
  rmSync(executionsDir, { recursive: true, force: true });
  if (execution.status !== 'SUCCEEDED')
    throw new Error(
      `${shards} shard(s): ${execution.status} ${execution.error ?? ''} ${execution.cause ?? ''}`,
    );
  const status = await readStatusItem(env.deps.dynamodb, env.statusTable, importId);
  if (status?.rowsProduced !== rows || status.rowsRead !== rows)
    throw new Error(
      `${shards} shard(s): read ${status?.rowsRead}, produced ${status?.rowsProduced} of ${rows}`,
    );
  const seconds = (execution.stoppedAt - execution.startedAt) / 1000;
  return {
    shards,
    seconds: round2(seconds),
    rowsPerSecond: Math.round(rows / seconds),
    mapSeconds: round2(stateSeconds(events, 'ImportShards')),
    reduceSeconds: round2(stateSeconds(events, 'CloseShardedImport')),
  };
}

/**
 * Imports one file of `rows` rows with 1, 2 and 4 shards (one shard: a map of one task, so every run pays the
 * same plan and reduce). The reference is the one-shard run in the same bench:
 * on 2 cores more shards cannot add CPU, so a ratio near 1 means sharding costs little; on AWS each shard is a
 * task of its own and the ratio is the per-task cost of sharding.
 */
export async function runShardBench(env: BenchEnv, options: { rows?: number } = {}) {
  const rows = options.rows ?? 1_000_000;
  const file = join(env.work, 'shards.csv');
  await writeUsersFile(file, rows);
  const key = 'imports/shards.csv';
  await env.upload(file, key);
  rmSync(file);
  const runs: ShardRun[] = [];
  for (const shards of SHARD_COUNTS) {
    const attempts: ShardRun[] = [];
    for (let attempt = 0; attempt < RUNS; attempt++)
      attempts.push(await importSharded(env, key, rows, shards, attempt));
    runs.push(median(attempts, (run) => run.seconds));
  }
  const one = runs[0]!;
  const figures = {
    rows,
    runs,
    rowsPerSecondByShards: Object.fromEntries(runs.map((run) => [String(run.shards), run.rowsPerSecond])),
    toOneShardRatio: Object.fromEntries(
      runs.map((run) => [String(run.shards), round2(run.rowsPerSecond / one.rowsPerSecond)]),
    ),
  };
  writeTable([
    ['shards', 'rows', 'execution s', 'rows/s', 'vs 1 shard', 'map s', 'reduce s'],
    ...runs.map((run) => [
      String(run.shards),
      String(rows),
      String(run.seconds),
      String(run.rowsPerSecond),
      String(round2(run.rowsPerSecond / one.rowsPerSecond)),
      String(run.mapSeconds),
      String(run.reduceSeconds),
    ]),
  ]);
  return figures;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--rows');
  const env = await openBenchEnv();
  try {
    const figures = await runShardBench(env, { rows: i === -1 ? undefined : Number(process.argv[i + 1]) });
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    env.close();
  }
  process.exit(0);
}
