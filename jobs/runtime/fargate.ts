import { TASK_TOKEN_ENV } from '../../dsl/tasks/task-options.ts';
import { closeJobDeps, type JobDeps, jobDeps } from './clients.ts';
import { runtimeConfig } from './config.ts';
import { FARGATE_ENTRY } from './entry-points.ts';
import { isNonRetryable, JobError } from './job-error.ts';
import { jobInputFromEnv } from './job-input.ts';
import { withKafkaCredentials } from './kafka-secret.ts';
import { type JobLogger, jsonLineLogger } from './logger.ts';
import { metricsLine, metricsNamespace } from './metrics.ts';
import { type RunnableJob, runnableJobs } from './registry.ts';
import { callbackFromEnv, reportingTo } from './task-token.ts';

/** Exit codes of the Fargate entry: 0 success, 2 invalid input or a non-retryable job error, 1 retryable failure. */
export const ExitCode = { success: 0, retryable: 1, nonRetryable: 2 } as const;

function usage(): string {
  return `usage: node ${FARGATE_ENTRY} <job>   (jobs: ${Object.keys(runnableJobs).join(', ')}); input from UPPER_SNAKE_CASE environment variables`;
}

/** Runtime configuration from the environment; a malformed variable cannot be fixed by a retry. */
function configFrom(env: Record<string, string | undefined>) {
  try {
    return runtimeConfig(env);
  } catch (error) {
    throw new JobError('InvalidInput', `runtime configuration: ${(error as Error).message}`);
  }
}

/** What one Fargate run did: its exit code and the summary line it printed last. */
export interface FargateRunResult {
  exitCode: number;
  summary: Record<string, unknown>;
}

/**
 * Runs one job as the Fargate entry does: input from the environment, JSON log lines, the job's metrics as an
 * Embedded Metric Format line, one JSON summary line last.
 * Returns the exit code instead of exiting, so it can be tested in-process.
 */
export async function runFargateJob(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
  makeDeps?: (log: JobLogger) => JobDeps,
  entries: Readonly<Record<string, RunnableJob>> = runnableJobs,
): Promise<FargateRunResult> {
  const name = argv[0];
  const startedAt = Date.now();
  const finish = (exitCode: number, fields: Record<string, unknown>): FargateRunResult => {
    const summary = {
      type: 'summary',
      job: name ?? null,
      exitCode,
      seconds: (Date.now() - startedAt) / 1000,
      ...fields,
    };
    write(JSON.stringify(summary));
    return { exitCode, summary };
  };
  const entry = name ? entries[name] : undefined;
  if (!entry) {
    const message = name === undefined || name === '--help' ? usage() : `unknown job '${name}'; ${usage()}`;
    return finish(ExitCode.nonRetryable, { ok: false, error: 'InvalidInput', message });
  }
  const log = jsonLineLogger(entry.job.name, write);
  // A callback step (`.waitForTaskToken`) hands the task its token: heartbeats, output and error go back with it.
  const taskToken = env[TASK_TOKEN_ENV];
  const callback = taskToken ? callbackFromEnv(env, taskToken, log) : undefined;
  let deps: JobDeps | undefined;
  try {
    const output = await reportingTo(callback, async () => {
      const input = jobInputFromEnv(entry.job, env);
      const built = makeDeps
        ? makeDeps(log)
        : jobDeps(await withKafkaCredentials(configFrom(env)), log, entry.job.name);
      deps = callback ? { ...built, heartbeat: callback.heartbeat } : built;
      log.info('job-start', { input });
      return entry.run(input as never, deps);
    });
    const metrics = metricsLine(entry.job.name, output, metricsNamespace(env));
    if (metrics) write(metrics);
    return finish(ExitCode.success, { ok: true, output });
  } catch (error) {
    const named = error instanceof Error ? error : new Error(String(error));
    const exitCode = isNonRetryable(error) ? ExitCode.nonRetryable : ExitCode.retryable;
    log.error('job-failed', {
      error: named.name,
      message: named.message,
      retryable: exitCode !== ExitCode.nonRetryable,
    });
    return finish(exitCode, {
      ok: false,
      error: named.name,
      message: named.message,
      ...((error as { counts?: object }).counts ?? {}),
      ...(error instanceof JobError ? {} : { stack: named.stack?.split('\n').slice(0, 6).join('\n') }),
    });
  } finally {
    if (deps && !makeDeps) closeJobDeps(deps);
    callback?.close();
  }
}
