import type { AnyJob } from '../dsl/job.ts';
import { CONFIG_NAMESPACE, ConfigError, type JobOverride, type TaskCapacity } from './config.ts';

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

/** Fargate's allowed memory (MiB) per CPU size: [min, max, step]. @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size */
const FARGATE_MEMORY: Record<number, readonly [number, number, number]> = {
  256: [512, 2048, 512],
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
  8192: [16384, 61440, 4096],
  16384: [32768, 122880, 8192],
};

/** Rejects overrides for jobs that do not exist, so a typo in a job name cannot pass silently. */
export function checkJobOverrides(
  overrides: Readonly<Record<string, JobOverride>>,
  jobs: readonly AnyJob[],
): void {
  const names = new Set(jobs.map((job) => job.name));
  for (const name of Object.keys(overrides)) {
    if (!names.has(name)) {
      throw new ConfigError(
        `Configuration key '${CONFIG_NAMESPACE}:jobs.${name}' names no job: the jobs are ${[...names].join(', ')}`,
      );
    }
  }
}

/** The Lambda size of a job: its declaration, then the config override. */
export function lambdaSizing(job: AnyJob, override: JobOverride | undefined): LambdaSizing {
  const memoryMiB = override?.memoryMiB ?? job.resources.lambda?.memoryMiB ?? LAMBDA_DEFAULT.memoryMiB;
  if (memoryMiB < 128 || memoryMiB > 10240) {
    throw new ConfigError(
      `Configuration key '${key(job, 'memoryMiB')}': Lambda memory must be 128-10240 MiB, got ${memoryMiB}`,
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
  override: JobOverride | undefined,
  ec2Available: boolean,
): TaskSizing {
  const cpu = override?.cpu ?? job.resources.fargate?.cpu ?? TASK_DEFAULT.cpu;
  const memoryMiB = override?.memoryMiB ?? job.resources.fargate?.memoryMiB ?? TASK_DEFAULT.memoryMiB;
  const capacity = override?.capacity ?? 'fargate';
  if (capacity === 'ec2' && !ec2Available) {
    throw new ConfigError(
      `Configuration key '${key(job, 'capacity')}' is 'ec2' but '${CONFIG_NAMESPACE}:ec2Capacity' is not set`,
    );
  }
  if (capacity !== 'ec2') {
    const allowed = FARGATE_MEMORY[cpu];
    if (allowed === undefined) {
      throw new ConfigError(
        `Configuration key '${key(job, 'cpu')}': Fargate CPU must be one of ${Object.keys(FARGATE_MEMORY).join(', ')}, got ${cpu}` +
          ` (set capacity 'ec2' for larger tasks)`,
      );
    }
    const [min, max, step] = allowed;
    if (memoryMiB < min || memoryMiB > max || (memoryMiB - min) % step !== 0) {
      throw new ConfigError(
        `Configuration key '${key(job, 'memoryMiB')}': Fargate with ${cpu} CPU units takes ${min}-${max} MiB in steps of ${step}, got ${memoryMiB}`,
      );
    }
  }
  return { cpu, memoryMiB, capacity };
}

function key(job: AnyJob, field: keyof JobOverride): string {
  return `${CONFIG_NAMESPACE}:jobs.${job.name}.${field}`;
}
