// What the import and export benchmarks share: the local services, clients, the built bundle, a bucket and a
// status table of the run's own, and a scratch folder.
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createStatusTable } from '../jobs/audience-status/table.ts';
import { closeJobDeps, type JobDeps, jobDeps } from '../jobs/runtime/clients.ts';
import { runtimeConfig } from '../jobs/runtime/config.ts';
import { jsonLineLogger } from '../jobs/runtime/logger.ts';
import { ensureTopic, withAdmin } from '../jobs/runtime/topics.ts';
import { ensureLocalServices } from '../local/services/index.ts';
import { buildJobs } from '../scripts/build-jobs.ts';
import { measureProcess, type ProcessRun } from './import/measure.ts';

/** The Node options the image runs every job with (its `ENV NODE_OPTIONS`), so the figures are the image's. */
function imageNodeOptions(): string {
  const dockerfile = readFileSync(new URL('../images/Dockerfile', import.meta.url), 'utf8');
  const options = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(dockerfile)?.[1];
  if (options === undefined) throw new Error('images/Dockerfile sets no NODE_OPTIONS');
  return options;
}

/** Partitions of every benchmark topic. */
export const BENCH_PARTITIONS = 6;

/** One benchmark run's resources; `close()` removes the scratch folder and releases the clients. */
export interface BenchEnv {
  readonly deps: JobDeps;
  readonly brokers: string;
  readonly bucket: string;
  readonly statusTable: string;
  /** Scratch folder for generated files. */
  readonly work: string;
  /** Unique suffix of the run's names. */
  readonly stamp: string;
  /** Uploads a local file to the run's bucket. */
  upload(file: string, key: string): Promise<void>;
  /** Creates a topic of BENCH_PARTITIONS partitions. */
  createTopic(topic: string): Promise<void>;
  /**
   * Runs a job through the built Fargate entry as a child process (wall time, peak RSS) and returns its output;
   * with `cpuList` (taskset's list, e.g. '0') the process may use only those CPUs, as a smaller task would.
   */
  runJob(
    job: string,
    env: Record<string, string>,
    cpuList?: string,
  ): Promise<{ run: ProcessRun; output: Record<string, number> }>;
  close(): void;
}

/** Starts (or finds) the local services, builds the bundle and creates the run's bucket and status table. */
export async function openBenchEnv(): Promise<BenchEnv> {
  await ensureLocalServices();
  const stamp = Date.now().toString(36);
  const bucket = `bench-${stamp}`;
  const statusTable = `bench-status-${stamp}`;
  const config = { ...runtimeConfig(process.env), statusTable };
  const deps = jobDeps(
    config,
    jsonLineLogger('bench', () => undefined),
    'bench',
  );
  const work = mkdtempSync(join(tmpdir(), 'audience-bench-'));
  const dist = join(work, 'dist');
  await buildJobs(dist);
  await deps.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await createStatusTable(deps.dynamodb, statusTable);
  return {
    deps,
    brokers: config.kafkaBrokers.join(','),
    bucket,
    statusTable,
    work,
    stamp,
    upload: async (file, key) => {
      const s3: S3Client = deps.s3;
      await new Upload({
        client: s3,
        params: { Bucket: bucket, Key: key, Body: createReadStream(file) },
      }).done();
    },
    createTopic: (topic) => withAdmin(deps.kafka, (admin) => ensureTopic(admin, topic, BENCH_PARTITIONS)),
    runJob: async (job, env, cpuList) => {
      const command = [process.execPath, join(dist, 'jobs.mjs'), job];
      const [program, ...args] = cpuList ? ['taskset', '-c', cpuList, ...command] : command;
      const run = await measureProcess(program!, args, {
        ...process.env,
        NODE_OPTIONS: imageNodeOptions(),
        STATUS_TABLE: statusTable,
        ...env,
      });
      const last = run.stdout.trim().split('\n').at(-1) ?? '{}';
      if (run.exitCode !== 0)
        throw new Error(`${job} failed (exit ${run.exitCode}): ${last}\n${run.stderr.slice(-2000)}`);
      return { run, output: (JSON.parse(last) as { output: Record<string, number> }).output };
    },
    close: () => {
      closeJobDeps(deps);
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Rounds to two decimals, as every figure of results.json. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The run of median `seconds(run)` (the "medians of 3"). */
export function median<Run>(runs: readonly Run[], seconds: (run: Run) => number): Run {
  return [...runs].sort((a, b) => seconds(a) - seconds(b))[Math.floor(runs.length / 2)]!;
}
