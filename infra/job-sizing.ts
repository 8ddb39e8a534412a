import type { AnyJob, Executor } from '../dsl/job.ts';
import {
  CONFIG_NAMESPACE,
  ConfigError,
  type JobOverride,
  type LambdaOverride,
  type TaskCapacity,
  type TaskOverride,
} from './config.ts';

/** A Lambda job's resolved memory and timeout. */
export interface LambdaSizing {
  readonly memoryMiB: number;
  readonly timeoutSeconds: number;
}

/** A task job's resolved size and the capacity that runs it. */
export interface TaskSizing {
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly capacity: TaskCapacity;
}

const LAMBDA_DEFAULT: LambdaSizing = { memoryMiB: 512, timeoutSeconds: 60 };
const TASK_DEFAULT = { cpu: 1024, memoryMiB: 2048 };

/**
 * The memory sizes (MiB) Fargate allows with each CPU size.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 */
export const FARGATE_MEMORY: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: steps(1024, 4096, 1024),
  1024: steps(2048, 8192, 1024),
  2048: steps(4096, 16384, 1024),
  4096: steps(8192, 30720, 1024),
  8192: steps(16384, 61440, 4096),
  16384: steps(32768, 122880, 8192),
};

/**
 * Rejects overrides for jobs that do not exist or for executors a job does not run on, so a typo in a job
 * name or section cannot pass silently. Returns every problem found.
 */
export function jobOverrideProblems(
  overrides: Readonly<Record<string, JobOverride>>,
  jobs: readonly AnyJob[],
): string[] {
  const byName = new Map(jobs.map((job) => [job.name, job]));
  const problems: string[] = [];
  for (const [name, override] of Object.entries(overrides)) {
    const job = byName.get(name);
    if (!job) {
      problems.push(
        `Configuration key '${CONFIG_NAMESPACE}:jobs.${name}' names no job: the jobs are ${[...byName.keys()].join(', ')}`,
      );
      continue;
    }
    for (const executor of Object.keys(override) as Executor[]) {
      if (!job.runsOn.includes(executor)) {
        problems.push(
          `Configuration key '${CONFIG_NAMESPACE}:jobs.${name}.${executor}': ${name} runs on ${job.runsOn.join(', ')}, not ${executor}`,
        );
      }
    }
  }
  return problems;
}

/** The Lambda size of a job: its declaration, then the config override. */
export function lambdaSizing(job: AnyJob, override: LambdaOverride | undefined): LambdaSizing {
  const memoryMiB = override?.memoryMiB ?? job.resources.lambda?.memoryMiB ?? LAMBDA_DEFAULT.memoryMiB;
  if (memoryMiB < 128 || memoryMiB > 10240) {
    throw new ConfigError(
      `Configuration key '${key(job, 'lambda', 'memoryMiB')}': Lambda memory must be 128-10240 MiB, got ${memoryMiB}`,
    );
  }
  return {
    memoryMiB,
    timeoutSeconds:
      override?.timeoutSeconds ?? job.resources.lambda?.timeoutSeconds ?? LAMBDA_DEFAULT.timeoutSeconds,
  };
}

/** The task size of a job: its declaration, then the config override; Fargate sizes are checked against Fargate's table. */
export function taskSizing(
  job: AnyJob,
  override: TaskOverride | undefined,
  ec2Available: boolean,
): TaskSizing {
  const cpu = override?.cpu ?? job.resources.fargate?.cpu ?? TASK_DEFAULT.cpu;
  const memoryMiB = override?.memoryMiB ?? job.resources.fargate?.memoryMiB ?? TASK_DEFAULT.memoryMiB;
  const capacity = override?.capacity ?? 'fargate';
  if (capacity === 'ec2' && !ec2Available) {
    throw new ConfigError(
      `Configuration key '${key(job, 'fargate', 'capacity')}' is 'ec2' but '${CONFIG_NAMESPACE}:ec2Capacity' is not set`,
    );
  }
  if (capacity !== 'ec2') {
    const allowed = FARGATE_MEMORY[cpu];
    if (allowed === undefined) {
      throw new ConfigError(
        `Configuration key '${key(job, 'fargate', 'cpu')}': Fargate CPU must be one of ${Object.keys(FARGATE_MEMORY).join(', ')}, got ${cpu}` +
          ` (set capacity 'ec2' for larger tasks)`,
      );
    }
    if (!allowed.includes(memoryMiB)) {
      throw new ConfigError(
        `Configuration key '${key(job, 'fargate', 'memoryMiB')}': Fargate with ${cpu} CPU units takes ${describe(allowed)}, got ${memoryMiB}`,
      );
    }
  }
  return { cpu, memoryMiB, capacity };
}

function key(job: AnyJob, executor: Executor, field: string): string {
  return `${CONFIG_NAMESPACE}:jobs.${job.name}.${executor}.${field}`;
}

function steps(min: number, max: number, step: number): number[] {
  return Array.from({ length: (max - min) / step + 1 }, (_, index) => min + index * step);
}

/** `512, 1024 or 2048 MiB`, or `2048-8192 MiB in steps of 1024` for a long regular list. */
function describe(sizes: readonly number[]): string {
  if (sizes.length <= 3) return `${sizes.slice(0, -1).join(', ')} or ${sizes.at(-1)} MiB`;
  return `${sizes[0]}-${sizes.at(-1)} MiB in steps of ${sizes[1]! - sizes[0]!}`;
}
