import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';
import type { AnyJob } from '../../dsl/index.ts';
import { fargateCommand, fargateEntryPoint } from '../../jobs/runtime/entry-points.ts';
import { repoRoot } from '../services/options.ts';
import { inJobBundle, moduleTaskCommand } from './job-implementations.ts';
import { namedError } from './named-error.ts';
import type { TaskTargets } from './task-targets.ts';

/** The container overrides of a `runTask` call, as the compiled state passes them. */
interface ContainerOverride {
  Name?: string;
  Environment?: { Name?: unknown; Value?: unknown }[];
  Command?: unknown[];
}

/** Why ECS stopped a task (`StopCode`). @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html */
export type StopCode =
  | 'EssentialContainerExited'
  | 'SpotInterruption'
  | 'TerminationNotice'
  | 'InfrastructureHealth'
  | 'UserInitiated'
  | 'TaskFailedToStart';

/** The stopped reason ECS gives with each stop code the runner can produce. */
const STOPPED_REASONS: Record<StopCode, string> = {
  EssentialContainerExited: 'Essential container in task exited',
  SpotInterruption: 'Your Spot Task was interrupted.',
  TerminationNotice: 'Task stopped due to a termination notice (infrastructure maintenance).',
  InfrastructureHealth: 'Task stopped because of an infrastructure health issue.',
  UserInitiated: 'Task stopped by user',
  TaskFailedToStart: 'Task failed to start',
};

/** A task the runner started: stop it as ECS would (SIGTERM, SIGKILL after the stop timeout). */
export interface LocalTask {
  readonly state: string;
  readonly job: AnyJob;
  readonly taskArn: string;
  readonly pid: number | undefined;
  /** Stops the task with `code` (e.g. a Spot interruption): SIGTERM, then SIGKILL after `stopTimeoutSeconds`. */
  stop(code: StopCode, stopTimeoutSeconds?: number): void;
}

/** Where and how the runner starts task processes. */
export interface LocalTaskOptions {
  /** The stand-in of the image's working directory (holds `dist/jobs.mjs`). */
  readonly taskDir: string;
  /** The task definition's environment: the runtime configuration. */
  readonly runtimeEnv: Readonly<Record<string, string>>;
  /** Receives each line the container writes, with the state that runs it. */
  readonly log: (state: string, job: AnyJob, stream: 'stdout' | 'stderr', line: string) => void;
  /** Running tasks, so the execution can stop them when it ends first (timeout, abort). */
  readonly running: Set<ChildProcess>;
  /** Told of each task as it starts (tests interrupt tasks through it). */
  readonly onTaskStarted?: (task: LocalTask) => void;
}

/** The parameters of an `ecs:runTask` call, as far as the runner reads them. */
interface RunTaskParameters {
  Cluster?: string;
  TaskDefinition?: string;
  LaunchType?: string;
  Overrides?: { ContainerOverrides?: ContainerOverride[] };
}

/**
 * Starts the task a `runTask` call describes: finds the job by `TaskDefinition` and runs the container command
 * (`node` + `Command`, or the job's module when it is not in the bundle yet) as a child process with exactly the
 * override environment over the runtime configuration. Resolves with the stopped task's description, in the
 * form (PascalCase) Step Functions gives `ecs:runTask.sync`: `StopCode`, `StoppedReason`, `Containers[].ExitCode`.
 */
export function startLocalTask(
  state: string,
  parameters: unknown,
  targets: TaskTargets,
  options: LocalTaskOptions,
): { task: LocalTask; stopped: Promise<Record<string, unknown>> } {
  const params = (parameters ?? {}) as RunTaskParameters;
  const taskDefinition = params.TaskDefinition;
  const job = typeof taskDefinition === 'string' ? targets.fargateJob(taskDefinition) : undefined;
  if (!job) {
    throw namedError(
      'ECS.InvalidParameterException',
      `${state}: TaskDefinition ${String(taskDefinition)} is not bound to any Fargate job`,
    );
  }
  const overrides = params.Overrides?.ContainerOverrides ?? [];
  if (overrides.length > 1) {
    throw namedError(
      'ECS.InvalidParameterException',
      `${state}: the job image has one container, got ${overrides.length} ContainerOverrides`,
    );
  }
  const override = overrides[0] ?? {};
  const environment = overrideEnvironment(state, override);
  const command = override.Command !== undefined ? override.Command.map(String) : fargateCommand(job);
  const [entry, ...entryArgs] = fargateEntryPoint;
  const bundled = inJobBundle(job);
  // The image's `node` is the Node this runner runs on.
  const executable = entry === 'node' || !bundled ? process.execPath : entry!;
  const args = bundled ? [...entryArgs, ...command] : moduleTaskCommand(job);
  const cluster = String(params.Cluster ?? 'arn:aws:ecs:local:000000000000:cluster/local');
  const taskArn = `${cluster.replace(':cluster/', ':task/')}/${randomUUID().replaceAll('-', '')}`;
  const createdAt = Date.now();

  const child = spawn(executable, args, {
    cwd: bundled ? options.taskDir : repoRoot,
    env: { ...options.runtimeEnv, ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  options.running.add(child);
  let stopCode: StopCode | undefined;
  const task: LocalTask = {
    state,
    job,
    taskArn,
    pid: child.pid,
    stop(code, stopTimeoutSeconds = 30) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopCode = code;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), stopTimeoutSeconds * 1000).unref();
    },
  };
  const outDone = lines(child.stdout!, (line) => options.log(state, job, 'stdout', line));
  const errDone = lines(child.stderr!, (line) => options.log(state, job, 'stderr', line));
  const stopped = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  })
    .finally(() => options.running.delete(child))
    .then(async ({ code, signal }) => {
      await Promise.all([outDone, errDone]);
      // A container killed by a signal exits with 128 + the signal's number, as Docker reports it.
      const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
      const stop = stopCode ?? 'EssentialContainerExited';
      return taskDescription({ params, override, taskArn, job, createdAt, exitCode, stopCode: stop });
    });
  options.onTaskStarted?.(task);
  return { task, stopped };
}

/**
 * The local stand-in of `arn:aws:states:::ecs:runTask.sync`: runs the task to its end. A task that did not exit
 * 0 fails the state with `States.TaskFailed` and, as on AWS, the stopped task's description as JSON for cause.
 */
export function ecsRunTaskSync(
  state: string,
  targets: TaskTargets,
  options: LocalTaskOptions,
): (parameters: unknown) => Promise<unknown> {
  return async (parameters) => {
    const description = await startLocalTask(state, parameters, targets, options).stopped;
    const [container] = description.Containers as { ExitCode: number }[];
    if (container?.ExitCode !== 0 || description.StopCode !== 'EssentialContainerExited') {
      throw namedError('States.TaskFailed', JSON.stringify(description));
    }
    return description;
  };
}

/** The DescribeTasks entry of a stopped task, in Step Functions' PascalCase. */
function taskDescription(task: {
  params: RunTaskParameters;
  override: ContainerOverride;
  taskArn: string;
  job: AnyJob;
  createdAt: number;
  exitCode: number;
  stopCode: StopCode;
}): Record<string, unknown> {
  const stoppedAt = Date.now();
  return {
    ClusterArn: task.params.Cluster,
    Containers: [
      {
        ExitCode: task.exitCode,
        LastStatus: 'STOPPED',
        Name: task.override.Name ?? 'job',
        TaskArn: task.taskArn,
      },
    ],
    CreatedAt: task.createdAt,
    DesiredStatus: 'STOPPED',
    Group: `family:${task.job.name}`,
    LastStatus: 'STOPPED',
    LaunchType: task.params.LaunchType ?? 'FARGATE',
    Overrides: { ContainerOverrides: task.params.Overrides?.ContainerOverrides ?? [] },
    StartedAt: task.createdAt,
    StartedBy: 'AWS Step Functions',
    StopCode: task.stopCode,
    StoppedAt: stoppedAt,
    StoppedReason: STOPPED_REASONS[task.stopCode],
    StoppingAt: stoppedAt,
    TaskArn: task.taskArn,
    TaskDefinitionArn: task.params.TaskDefinition,
  };
}

/** `Environment` as a variable map; a malformed entry fails the state as ECS would refuse the call. */
function overrideEnvironment(state: string, override: ContainerOverride): Record<string, string> {
  const env: Record<string, string> = {};
  (override.Environment ?? []).forEach((variable, index) => {
    if (typeof variable.Name !== 'string' || variable.Name === '') {
      throw namedError(
        'ECS.InvalidParameterException',
        `${state}: ContainerOverrides[0].Environment[${index}].Name is missing`,
      );
    }
    if (variable.Value !== undefined && typeof variable.Value !== 'string') {
      throw namedError(
        'ECS.InvalidParameterException',
        `${state}: ContainerOverrides[0].Environment[${index}] (${variable.Name}): Value must be a string, got ${JSON.stringify(variable.Value)}`,
      );
    }
    env[variable.Name] = variable.Value ?? '';
  });
  return env;
}

function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> {
  const reader = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  reader.on('line', onLine);
  return new Promise((resolve) => reader.once('close', resolve));
}
