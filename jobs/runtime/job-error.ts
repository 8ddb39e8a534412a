/** Every error name a job may throw on purpose; on Lambda it becomes the Step Functions error name. */
export type JobErrorName =
  | 'InvalidInput'
  | 'IllegalTransition'
  | 'TooManyRejectedRows'
  | 'SourceNotFound'
  | 'CountsMissing'
  | 'EndMarkerNotFound'
  /** A Lambda run of an import nearly out of time: it committed what it read; a Fargate run resumes after it. */
  | 'ImportTimeBudgetExhausted';

/** Errors that a second run cannot fix: workflows must not retry them, the Fargate entry exits with 2. */
export const nonRetryableJobErrors: ReadonlySet<JobErrorName> = new Set<JobErrorName>([
  'InvalidInput',
  'IllegalTransition',
  'TooManyRejectedRows',
  'SourceNotFound',
  'CountsMissing',
]);

/** A named job failure: `name` is one of the job declaration's `errors`, so a workflow can Retry/Catch it. */
export class JobError extends Error {
  /** The error name, narrowed to the job error names. */
  declare readonly name: JobErrorName;

  constructor(name: JobErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, 'name', {
      value: name,
      enumerable: false,
      configurable: true,
      writable: false,
    });
  }

  /** Whether running the job again could succeed. */
  get retryable(): boolean {
    return !nonRetryableJobErrors.has(this.name);
  }
}

/** True for a JobError that must not be retried (invalid input, illegal transition, bad file, …). */
export function isNonRetryable(error: unknown): boolean {
  return error instanceof JobError && !error.retryable;
}
