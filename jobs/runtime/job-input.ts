import type { z } from 'zod';
import { type AnyJob, envVarName, type JobParsedInput } from '../../dsl/job.ts';
import { fieldBaseType } from '../../dsl/zod-field.ts';
import { JobError } from './job-error.ts';

function describeIssues(issues: readonly z.core.$ZodIssue[], nameOf: (field: string) => string): string {
  return issues
    .map((issue) => {
      const field =
        issue.path.length > 0
          ? nameOf(String(issue.path[0])) +
            issue.path
              .slice(1)
              .map((p) => `.${String(p)}`)
              .join('')
          : '(input)';
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}

/** Validates a Lambda payload against the job's input schema; failure is an `InvalidInput` error naming the fields. */
export function parseJobInput<J extends AnyJob>(job: J, payload: unknown): JobParsedInput<J> {
  const result = job.input.safeParse(payload);
  if (!result.success) {
    throw new JobError(
      'InvalidInput',
      `${job.name}: invalid input: ${describeIssues(result.error.issues, (f) => f)}`,
    );
  }
  return result.data as JobParsedInput<J>;
}

const NUMBER = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Reads a job's input from UPPER_SNAKE_CASE environment variables (the Fargate contract) and validates it.
 * Values are strings; numeric and boolean fields are converted per the field's schema.
 */
export function jobInputFromEnv<J extends AnyJob>(
  job: J,
  env: Record<string, string | undefined>,
): JobParsedInput<J> {
  const shape = job.input.shape as Record<string, z.ZodType>;
  const payload: Record<string, unknown> = {};
  for (const [field, schema] of Object.entries(shape)) {
    const raw = env[envVarName(field)];
    if (raw === undefined || raw === '') continue;
    const { type } = fieldBaseType(schema);
    if (type === 'number' && NUMBER.test(raw.trim())) payload[field] = Number(raw.trim());
    else if (type === 'boolean' && (raw === 'true' || raw === 'false')) payload[field] = raw === 'true';
    else payload[field] = raw;
  }
  const result = job.input.safeParse(payload);
  if (!result.success) {
    throw new JobError(
      'InvalidInput',
      `${job.name}: invalid input: ${describeIssues(result.error.issues, (f) => `${envVarName(f)} (${f})`)}`,
    );
  }
  return result.data as JobParsedInput<J>;
}
