/** What a local execution reports while it runs, in order; the CLI renders these, tests may record them. */
export type RunnerEvent =
  | { type: 'execution-started'; name: string; arn: string; input: unknown; at: number }
  /** A start under the name of a running execution with the same input: that execution is given back. */
  | { type: 'execution-joined'; name: string; arn: string; at: number }
  | { type: 'state-entered'; state: string; stateType: string; at: number }
  | { type: 'state-exited'; state: string; stateType: string; at: number }
  | { type: 'state-failed'; state: string; stateType: string; error: string; cause: string; at: number }
  | { type: 'state-retried'; state: string; attempt: number; at: number }
  | { type: 'state-caught'; state: string; next: string; at: number }
  | { type: 'task-log'; state: string; job: string; stream: 'stdout' | 'stderr'; line: string; at: number }
  | { type: 'task-progress'; state: string; job: string; progress: JobProgress; at: number }
  /** A callback step handed out its token: SendTaskSuccess/Failure with it at `endpoint` (the AWS SDK's SFN API). */
  | { type: 'callback-waiting'; state: string; token: string; endpoint: string; at: number }
  | { type: 'execution-finished'; status: ExecutionStatus; at: number };

/** Final status of an execution, named as Step Functions names them. */
export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** Rows a job has handled so far, from its JSON progress log lines. */
export interface JobProgress {
  /** Rows read (import) or exported (export) so far. */
  readonly rows: number;
  /** Rows expected in all, when the job says so. */
  readonly total?: number;
  /** Whether this is the job's final count. */
  readonly done: boolean;
}

/** Receives runner events. */
export type RunnerEventListener = (event: RunnerEvent) => void;
