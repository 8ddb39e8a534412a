import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { TASK_TOKEN_FIELD } from '../../dsl/tasks/task-options.ts';
import type { JobLogger } from './logger.ts';

/**
 * The callback side of a `.waitForTaskToken` step: the job runtime reports with the task token the step handed it
 * (Lambda: the `taskToken` payload key; Fargate: the TASK_TOKEN variable).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
 */

/** Errors that mean the step is over (timed out, already answered): the job should stop rather than go on. */
const STEP_OVER = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** Minimum time between two heartbeats a job sends. @default 10 s (`TASK_HEARTBEAT_INTERVAL_MS`) */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;

/** The heartbeat interval from `TASK_HEARTBEAT_INTERVAL_MS`, or the default. */
export function heartbeatIntervalMs(env: Record<string, string | undefined>): number {
  const value = Number(env.TASK_HEARTBEAT_INTERVAL_MS);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_HEARTBEAT_INTERVAL_MS;
}

/** A Step Functions client: `AWS_ENDPOINT_URL_SFN` (the local runner's callback endpoint) or the AWS endpoint. */
export function sfnClient(env: Record<string, string | undefined>): SFNClient {
  const endpoint = env.AWS_ENDPOINT_URL_SFN || env.AWS_ENDPOINT_URL || undefined;
  return new SFNClient({
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
  });
}

/** Tells Step Functions the task is alive (resets the step's HeartbeatSeconds clock). */
export async function sendTaskHeartbeat(client: SFNClient, taskToken: string): Promise<void> {
  await client.send(new SendTaskHeartbeatCommand({ taskToken }));
}

/** Completes the step with `output` (JSON) as its result. */
export async function sendTaskSuccess(client: SFNClient, taskToken: string, output: unknown): Promise<void> {
  await client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output ?? null) }));
}

/** Fails the step with an error name (what Retry and Catch match) and a cause. */
export async function sendTaskFailure(
  client: SFNClient,
  taskToken: string,
  error: string,
  cause: string,
): Promise<void> {
  // The API bounds: error ≤ 256, cause ≤ 32,768 characters.
  await client.send(
    new SendTaskFailureCommand({ taskToken, error: error.slice(0, 256), cause: cause.slice(0, 32_768) }),
  );
}

/** How a job reports to the step that waits for it. */
export interface TaskCallback {
  /** Sends a heartbeat unless one went out less than the interval ago; rejects when the step is over. */
  heartbeat(): Promise<void>;
  /** Completes the step with the job's output. */
  succeed(output: unknown): Promise<void>;
  /** Fails the step with the error's name and message. */
  fail(error: unknown): Promise<void>;
  /** Releases the client. */
  close(): void;
}

/** The callback of a step that handed the job `taskToken`, through `client`. */
export function taskCallback(
  client: SFNClient,
  taskToken: string,
  options: { log: JobLogger; intervalMs?: number; now?: () => number },
): TaskCallback {
  const { log, intervalMs = DEFAULT_HEARTBEAT_INTERVAL_MS, now = Date.now } = options;
  let last = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | undefined;
  return {
    heartbeat() {
      if (inFlight || now() - last < intervalMs) return inFlight ?? Promise.resolve();
      last = now();
      inFlight = sendTaskHeartbeat(client, taskToken)
        .catch((error: unknown) => {
          const name = (error as Error).name;
          if (STEP_OVER.has(name)) throw error;
          // A throttled or failed heartbeat is not fatal: the next one may get through before the timeout.
          log.warn('heartbeat-failed', { error: name, message: (error as Error).message });
        })
        .finally(() => {
          inFlight = undefined;
        });
      return inFlight;
    },
    succeed: (output) => sendTaskSuccess(client, taskToken, output),
    fail(error) {
      const named = error instanceof Error ? error : new Error(String(error));
      return sendTaskFailure(client, taskToken, named.name, named.message);
    },
    close: () => client.destroy(),
  };
}

/** The callback of a token, through a client from the environment (`AWS_ENDPOINT_URL_SFN` locally). */
export function callbackFromEnv(
  env: Record<string, string | undefined>,
  taskToken: string,
  log: JobLogger,
): TaskCallback {
  return taskCallback(sfnClient(env), taskToken, { log, intervalMs: heartbeatIntervalMs(env) });
}

/** Splits a Lambda callback step's event into the task token and the job's own payload. */
export function splitTaskToken(event: unknown): { taskToken?: string; payload: unknown } {
  if (typeof event !== 'object' || event === null || !(TASK_TOKEN_FIELD in event)) return { payload: event };
  const { [TASK_TOKEN_FIELD]: taskToken, ...payload } = event as Record<string, unknown>;
  return typeof taskToken === 'string' ? { taskToken, payload } : { payload };
}

/** A job's heartbeat when no step gave it a token: nothing to send. */
export const noHeartbeat = (): Promise<void> => Promise.resolve();

/**
 * Runs a job for a step that may wait for its callback: with a token, reports the output or the error to the
 * step (and still returns or throws, so the entry's own exit code and Lambda's error stay as they are).
 */
export async function reportingTo<T>(callback: TaskCallback | undefined, run: () => Promise<T>): Promise<T> {
  if (!callback) return run();
  let output: T;
  try {
    output = await run();
  } catch (error) {
    await callback.fail(error).catch(() => undefined);
    throw error;
  }
  await callback.succeed(output);
  return output;
}
