import { allJobs } from '../index.ts';
import { closeJobDeps, type JobDeps, jobDeps } from './clients.ts';
import { runtimeConfig } from './config.ts';
import { lambdaExportName } from './entry-points.ts';
import { parseJobInput } from './job-input.ts';
import { withKafkaCredentials } from './kafka-secret.ts';
import { jsonLineLogger } from './logger.ts';
import { metricsLine, metricsNamespace } from './metrics.ts';
import { type RunnableJob, runnableJobs } from './registry.ts';
import { callbackFromEnv, reportingTo, splitTaskToken, type TaskCallback } from './task-token.ts';

/** What a handler reads of Lambda's context object. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

/** A Lambda handler: the event is the job input, the result the job output; errors keep their job error name. */
export type LambdaHandler = (event: unknown, context?: LambdaContext) => Promise<unknown>;

/**
 * Builds the handler of one job; clients are created on first use (after reading the Kafka credentials
 * secret, if one is configured) and kept while the Lambda stays warm. An event from a callback step carries a
 * task token: the job then heartbeats through `deps.heartbeat()` and its output or error goes back to the step.
 */
export function lambdaHandler(
  entry: RunnableJob,
  makeDeps?: () => JobDeps,
  callbackFor: (taskToken: string) => TaskCallback = (token) =>
    callbackFromEnv(process.env, token, jsonLineLogger(entry.job.name)),
): LambdaHandler {
  let deps: Promise<JobDeps> | undefined;
  const createDeps = async () =>
    makeDeps
      ? makeDeps()
      : jobDeps(await withKafkaCredentials(runtimeConfig()), jsonLineLogger(entry.job.name), entry.job.name);
  return async (event, context) => {
    const { taskToken, payload } = splitTaskToken(event);
    const callback = taskToken === undefined ? undefined : callbackFor(taskToken);
    try {
      const output = await reportingTo(callback, async () => {
        const input = parseJobInput(entry.job, payload);
        deps ??= createDeps().catch((error: unknown) => {
          // A failed start (e.g. the secret unreadable) is retried by the next invocation.
          deps = undefined;
          throw error;
        });
        const warm = await deps;
        return entry.run(input as never, {
          ...warm,
          ...(callback ? { heartbeat: callback.heartbeat } : {}),
          // The time left of this invocation: a long job stops in time and says so instead of being killed.
          ...(context ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}),
        });
      });
      // Raw stdout, not console: Lambda's JSON log format would wrap a console line and CloudWatch would miss the metrics.
      const metrics = metricsLine(entry.job.name, output, metricsNamespace());
      if (metrics) process.stdout.write(`${metrics}\n`);
      return output;
    } finally {
      callback?.close();
    }
  };
}

/** Handlers of every job that runs on Lambda, by export name. */
export const handlers: Readonly<Record<string, LambdaHandler>> = Object.fromEntries(
  allJobs
    .filter((job) => (job.runsOn as readonly string[]).includes('lambda'))
    .map((job) => [lambdaExportName(job), lambdaHandler(runnableJobs[job.name]!)]),
);

/** Releases a handler's clients (for tests and local runners that create handlers per run). */
export { closeJobDeps };
