import type { ResultPath } from '../placement.ts';

/** Options common to Task states. */
export interface TaskOptions<P extends ResultPath> {
  /** Where the result goes: `'$'` replaces the state, `'$.a'` places it, `null` discards it. @default '$' (ASL) */
  readonly resultPath?: P;
  /** Fails the state with States.Timeout after this many seconds. */
  readonly timeoutSeconds?: number;
  /**
   * Fails the state with States.HeartbeatTimeout when no heartbeat arrives for this long: only a callback step
   * (`integration: 'waitForTaskToken'`) can receive heartbeats (SendTaskHeartbeat with its task token).
   */
  readonly heartbeatSeconds?: number;
  readonly comment?: string;
}

/** Options of a step that may wait for a callback instead of the call's own response or completion. */
export interface IntegrationOptions<P extends ResultPath, I extends string> extends TaskOptions<P> {
  /**
   * `'waitForTaskToken'`: the step hands `$$.Task.Token` over and waits until someone calls SendTaskSuccess or
   * SendTaskFailure with it (`ctx.task.token` is in scope in the step's payload).
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token
   */
  readonly integration?: I;
}

/** The name of the payload key (Lambda) that hands a job step's task token to the job runtime. */
export const TASK_TOKEN_FIELD = 'taskToken';

/** The environment variable that hands a Fargate job step's task token to the job runtime. */
export const TASK_TOKEN_ENV = 'TASK_TOKEN';
