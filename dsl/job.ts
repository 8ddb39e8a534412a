import type { z } from 'zod';

/** Where a job can run: AWS Lambda (short, light steps) or ECS Fargate (long, CPU- or disk-heavy steps). */
export type Executor = 'lambda' | 'fargate';

/**
 * What a job touches, named after the platform resource (and, in the audience bucket, the key prefix).
 * Infrastructure turns each need into the least-privilege IAM statements of the job's role; nothing else is granted.
 */
export type JobNeed =
  | 'audienceBucket:read:imports'
  | 'audienceBucket:read:rejects'
  | 'audienceBucket:write:rejects'
  | 'audienceBucket:write:exports'
  | 'statusTable:read'
  | 'statusTable:write'
  | 'kafka';

/**
 * Platform settings a job reads from its environment, besides what its needs bring: infrastructure sets the
 * variables of each (`importPlan`: the import plan's thresholds, `IMPORT_LAMBDA_MAX_BYTES`, …;
 * `parserWorkers`: `IMPORT_PARSER_WORKERS`, one less than the vCPUs of the function or task it runs on).
 */
export type JobSetting = 'importPlan' | 'parserWorkers';

/** Sizing defaults for each executor; infrastructure config may override them per job. */
export interface JobResources {
  /** Lambda memory and timeout. @default { memoryMiB: 512, timeoutSeconds: 60 } */
  readonly lambda?: { readonly memoryMiB: number; readonly timeoutSeconds: number };
  /** Fargate task size (cpu units, 1024 = 1 vCPU). @default { cpu: 1024, memoryMiB: 2048 } */
  readonly fargate?: { readonly cpu: number; readonly memoryMiB: number };
}

/** A job's input schema: a zod object, so each field maps to one payload key or one environment variable. */
export type JobInputSchema = z.ZodObject;

/**
 * A job, declared once. From this one value come the type of the steps that call it, the validation of
 * its input at run time, its Lambda handler / container command and its IAM needs.
 */
export interface JobDeclaration<
  Name extends string = string,
  Input extends JobInputSchema = JobInputSchema,
  Output extends z.ZodType = z.ZodType,
  Errors extends string = string,
  Runs extends Executor = Executor,
> {
  readonly kind: 'job';
  /** Kebab-case name; also the Lambda function / task definition suffix and the container command argument. */
  readonly name: Name;
  readonly description: string;
  /** Input schema; a step's payload (or environment) is type-checked against `z.input` of it. */
  readonly input: Input;
  /** Output schema of the Lambda result; a step that places its result gets this type. */
  readonly output: Output;
  /** Executors this job may run on. */
  readonly runsOn: readonly Runs[];
  /** Repository-relative path of the module that exports the job's `run` function. */
  readonly module: string;
  /** Error names the job may throw (besides the platform's), usable in Retry and Catch. */
  readonly errors: readonly Errors[];
  /** Platform resources the job touches. */
  readonly needs: readonly JobNeed[];
  /** Platform settings the job reads from its environment. */
  readonly settings: readonly JobSetting[];
  readonly resources: JobResources;
}

/** Any job declaration. */
// biome-ignore lint/suspicious/noExplicitAny: variance escape hatch for heterogeneous job lists
export type AnyJob = JobDeclaration<string, any, any, string, Executor>;

export type JobInput<J extends AnyJob> = z.input<J['input']>;
export type JobParsedInput<J extends AnyJob> = z.output<J['input']>;
export type JobOutput<J extends AnyJob> = z.output<J['output']>;
export type JobErrorName<J extends AnyJob> = J['errors'][number];

const JOB_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** Declares a job. Throws at once when the declaration is malformed. */
export function defineJob<
  const Name extends string,
  Input extends JobInputSchema,
  Output extends z.ZodType,
  const Errors extends string = never,
  const Runs extends Executor = Executor,
>(declaration: {
  name: Name;
  description: string;
  input: Input;
  output: Output;
  runsOn: readonly Runs[];
  module: string;
  errors?: readonly Errors[];
  needs?: readonly JobNeed[];
  settings?: readonly JobSetting[];
  resources?: JobResources;
}): JobDeclaration<Name, Input, Output, Errors, Runs> {
  if (!JOB_NAME.test(declaration.name)) {
    throw new Error(`Job '${declaration.name}': name must be kebab-case, 1-40 characters (${JOB_NAME})`);
  }
  if (declaration.runsOn.length === 0) {
    throw new Error(`Job '${declaration.name}': runsOn must name at least one executor`);
  }
  return Object.freeze({
    kind: 'job',
    name: declaration.name,
    description: declaration.description,
    input: declaration.input,
    output: declaration.output,
    runsOn: Object.freeze([...declaration.runsOn]),
    module: declaration.module,
    errors: Object.freeze([...(declaration.errors ?? [])]),
    needs: Object.freeze([...(declaration.needs ?? [])]),
    settings: Object.freeze([...(declaration.settings ?? [])]),
    resources: declaration.resources ?? {},
  });
}

/** Converts a camelCase input field to the UPPER_SNAKE_CASE environment variable that carries it. */
export function envVarName(field: string): string {
  return field
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toUpperCase();
}
