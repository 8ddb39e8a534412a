import { LAMBDA_TRANSIENT_ERRORS } from './errors.ts';

/**
 * One retrier: which errors to retry and how often.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-retrying-after-an-error
 */
export interface RetryRule<E extends string = string> {
  /** Error names matched; `States.ALL` must be alone and in the last retrier. */
  readonly errors: readonly E[];
  /** Seconds before the first retry. @default 1 (AWS) */
  readonly intervalSeconds?: number;
  /** Retries after the first attempt (0 = never). @default 3 (AWS) */
  readonly maxAttempts?: number;
  /** Multiplier of the interval per retry, ≥ 1. @default 2 (AWS) */
  readonly backoffRate?: number;
  /** Upper bound of the interval, in seconds. */
  readonly maxDelaySeconds?: number;
  /** `FULL` randomises each interval between 0 and its computed value. @default 'NONE' (AWS) */
  readonly jitter?: 'FULL' | 'NONE';
}

/** Fields of a preset a caller may change. */
export type RetryOverrides = Omit<RetryRule, 'errors'>;

/** Retry presets named after what they cover. */
export const retryPresets = {
  /**
   * Transient Lambda service errors, as AWS recommends for `lambda:invoke`, and throttling (several imports
   * starting at once can exceed the account's concurrency): 2 s, 6 attempts, backoff 2.
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html
   */
  lambdaServiceErrors(
    overrides: RetryOverrides = {},
  ): RetryRule<(typeof LAMBDA_TRANSIENT_ERRORS)[number] | 'Lambda.TooManyRequestsException'> {
    return {
      errors: [...LAMBDA_TRANSIENT_ERRORS, 'Lambda.TooManyRequestsException'],
      intervalSeconds: 2,
      maxAttempts: 6,
      backoffRate: 2,
      ...overrides,
    };
  },
  /**
   * ECS capacity and throttling (`RunTask` finding no Fargate capacity, API rate limits): 10 s, 5 attempts,
   * backoff 2, full jitter so parallel imports don't retry in lock step.
   */
  ecsCapacity(overrides: RetryOverrides = {}): RetryRule<'ECS.AmazonECSException'> {
    return {
      errors: ['ECS.AmazonECSException'],
      intervalSeconds: 10,
      maxAttempts: 5,
      backoffRate: 2,
      maxDelaySeconds: 120,
      jitter: 'FULL',
      ...overrides,
    };
  },
};
