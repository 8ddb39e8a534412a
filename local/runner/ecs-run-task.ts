import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { AnyJob } from '../../dsl/index.ts';
import { fargateCommand, fargateEntryPoint } from '../../jobs/runtime/fargate.ts';
import { namedError } from './named-error.ts';
import type { TaskTargets } from './task-targets.ts';

/** Log lines kept for the cause of a failed task. */
const CAUSE_LOG_LINES = 10;
/** Characters kept per log line in a cause. */
const CAUSE_LINE_CHARS = 600;

/** The container overrides of a `runTask` call, as the compiled state passes them. */
interface ContainerOverride {
  Name?: string;
  Environment?: { Name?: unknown; Value?: unknown }[];
  Command?: unknown[];
}

/** Where and how the runner starts task processes. */
export interface LocalTaskOptions {
  /** The stand-in of the image's working directory (holds `dist/jobs.mjs`). */
  readonly taskDir: string;
  /** The task definition's environment: the runtime configuration. */
  readonly runtimeEnv: Readonly<Record<string, string>>;
  /** Receives each line the container writes. */
  readonly log: (job: AnyJob, stream: 'stdout' | 'stderr', line: string) => void;
  /** Running tasks, so the execution can stop them when it ends first (timeout, abort). */
  readonly running: Set<ChildProcess>;
}

/**
 * The local stand-in of `arn:aws:states:::ecs:runTask.sync`: finds the job by `TaskDefinition`, runs the
 * container command (`node` + `Command`) as a child process with exactly the override environment over the
 * runtime configuration, and waits for it. A non-zero exit fails the state with `States.TaskFailed` (cause:
 * exit code and last log lines); success returns an ECS-like description of the stopped task.
 */
export function ecsRunTaskSync(
  state: string,
  targets: TaskTargets,
  options: LocalTaskOptions,
): (parameters: unknown) => Promise<unknown> {
  return async (parameters) => {
    const params = (parameters ?? {}) as {
      Cluster?: string;
      TaskDefinition?: string;
      LaunchType?: string;
      Overrides?: { ContainerOverrides?: ContainerOverride[] };
    };
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
    // The image's `node` is the Node this runner runs on.
    const executable = entry === 'node' ? process.execPath : entry!;
    const taskArn = `${String(params.Cluster ?? 'arn:aws:ecs:local:000000000000:cluster/local').replace(':cluster/', ':task/')}/${randomUUID().replaceAll('-', '')}`;
    const createdAt = new Date();

    const lastLines: string[] = [];
    const child = spawn(executable, [...entryArgs, ...command], {
      cwd: options.taskDir,
      env: { ...options.runtimeEnv, ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    options.running.add(child);
    const keep = (stream: 'stdout' | 'stderr') => (line: string) => {
      lastLines.push(line.length > CAUSE_LINE_CHARS ? `${line.slice(0, CAUSE_LINE_CHARS)}…` : line);
      if (lastLines.length > CAUSE_LOG_LINES) lastLines.shift();
      options.log(job, stream, line);
    };
    const outDone = lines(child.stdout!, keep('stdout'));
    const errDone = lines(child.stderr!, keep('stderr'));
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve, reject) => {
        child.once('error', reject);
        child.once('close', (code, signal) => resolve({ code, signal }));
      },
    ).finally(() => options.running.delete(child));
    await Promise.all([outDone, errDone]);

    const commandLine = ['node', ...entryArgs, ...command].join(' ');
    if (code !== 0) {
      const how = code === null ? `was stopped by ${signal}` : `exited with code ${code}`;
      throw namedError(
        'States.TaskFailed',
        `Task ${taskDefinitionName(taskDefinition!)} (container ${override.Name ?? 'job'}: ${commandLine}) ${how}. Last log lines:\n${lastLines.join('\n')}`,
      );
    }
    const stoppedAt = new Date();
    return {
      Attempts: [],
      ClusterArn: params.Cluster,
      Containers: [{ Name: override.Name ?? 'job', ExitCode: 0, LastStatus: 'STOPPED', TaskArn: taskArn }],
      CreatedAt: createdAt.getTime(),
      DesiredStatus: 'STOPPED',
      LastStatus: 'STOPPED',
      LaunchType: params.LaunchType ?? 'FARGATE',
      Overrides: { ContainerOverrides: overrides },
      StartedAt: createdAt.getTime(),
      StopCode: 'EssentialContainerExited',
      StoppedAt: stoppedAt.getTime(),
      StoppedReason: 'Essential container in task exited',
      TaskArn: taskArn,
      TaskDefinitionArn: taskDefinition,
    };
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

function taskDefinitionName(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> {
  const reader = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  reader.on('line', onLine);
  return new Promise((resolve) => reader.once('close', resolve));
}
