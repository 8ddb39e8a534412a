import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobDeps } from '../../jobs/runtime/clients.ts';
import type { LocalRunOptions } from '../../local/runner/execution.ts';
import { createBucket, localJobDeps } from '../jobs/support.ts';

/** A test's own topic, status table, bucket and execution names, and the runner options that use them. */
export interface RunnerFixture {
  readonly deps: JobDeps;
  readonly bucket: string;
  readonly run: Omit<LocalRunOptions, 'name'>;
}

/**
 * Sets up a fixture against the local services (started once per test process); `env` adds runtime variables
 * (`IMPORT_LAMBDA_MAX_BYTES: '1'` sends every import to its Fargate path).
 */
export async function runnerFixture(extraEnv: Record<string, string> = {}): Promise<RunnerFixture> {
  const deps = await localJobDeps();
  const bucket = await createBucket(deps.s3);
  const env = {
    ...process.env,
    AUDIENCE_TOPIC: deps.config.audienceTopic,
    AUDIENCE_TOPIC_PARTITIONS: String(deps.config.audienceTopicPartitions),
    STATUS_TABLE: deps.config.statusTable,
    PROGRESS_INTERVAL_MS: '500',
    END_MARKER_TIMEOUT_MS: '15000',
    ...extraEnv,
  };
  return { deps, bucket, run: { env, executionsDir: mkdtempSync(join(tmpdir(), 'runner-executions-')) } };
}
