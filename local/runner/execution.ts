import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { type AnyWorkflow, compileValidWorkflow } from '../../dsl/index.ts';
import { runtimeConfig } from '../../jobs/runtime/config.ts';
import { allWorkflows } from '../../workflows/index.ts';
import { placeholderResources } from '../../workflows/placeholder-bindings.ts';
import { repoRoot } from '../services/options.ts';
import { ecsRunTaskSync } from './ecs-run-task.ts';
import type { ExecutionStatus, RunnerEvent, RunnerEventListener } from './events.ts';
import { ExecutionNames } from './execution-names.ts';
import { ExecutionHistory, type HistoryRow } from './history.ts';
import { ensureJobBundle } from './job-bundle.ts';
import { parseJobProgress } from './job-progress.ts';
import { type LambdaInterceptor, LocalLambdas, lambdaInvokeTask } from './lambda-invoke.ts';
import { runtimeEnv } from './runtime-env.ts';
import { startExecutionTask } from './start-execution.ts';
import { taskTargets } from './task-targets.ts';

/** The Task resources the runner serves, as AWS serves them. */
const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const ECS_RUN_TASK_SYNC = 'arn:aws:states:::ecs:runTask.sync';
const START_EXECUTION = 'arn:aws:states:::states:startExecution';
const START_EXECUTION_SYNC = 'arn:aws:states:::states:startExecution.sync:2';

/** Where executions claim their names by default (git-ignored). */
export const DEFAULT_EXECUTIONS_DIR = join(repoRoot, '.local', 'runner', 'executions');

/** Options of one local execution. */
export interface LocalRunOptions {
  /** Execution name; unique per workflow, as on AWS. @default a random UUID */
  readonly name?: string;
  /** Source of the runtime configuration (KAFKA_BROKERS, STATUS_TABLE, …). @default process.env */
  readonly env?: Record<string, string | undefined>;
  /** Receives the execution's events as they happen. */
  readonly onEvent?: RunnerEventListener;
  /** Stands between Lambda states and their handlers (fault injection in tests). */
  readonly interceptLambda?: LambdaInterceptor;
  /** Folder of claimed execution names. @default `.local/runner/executions` */
  readonly executionsDir?: string;
}

/** How a local execution ended. */
export interface LocalExecution {
  readonly name: string;
  readonly arn: string;
  readonly status: ExecutionStatus;
  /** The execution's output, when it succeeded. */
  readonly output?: unknown;
  /** Error and cause of a failed execution, and the state whose failure ended it or was caught last. */
  readonly error?: string;
  readonly cause?: string;
  readonly failedState?: string;
  readonly history: readonly HistoryRow[];
  readonly startedAt: number;
  readonly stoppedAt: number;
}

/**
 * Runs a workflow's compiled ASL (the definition `pulumi up` deploys, with placeholder ARNs) locally with
 * aws-local-stepfunctions: every Task state is served by the job it is bound to, in this process (Lambda)
 * or as a child process (Fargate). Throws before starting when the input does not match the workflow's
 * schema or the name is taken; otherwise resolves with the outcome, failed or not.
 */
export async function runWorkflowLocally(
  workflow: AnyWorkflow,
  input: unknown,
  options: LocalRunOptions = {},
): Promise<LocalExecution> {
  const parsed = workflow.input.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(input)'}: ${issue.message}`)
      .join('; ');
    throw new Error(`input of workflow ${workflow.name} is invalid: ${problems}`);
  }
  const bindings = placeholderResources();
  const { definition } = compileValidWorkflow(workflow, bindings);
  const stateMachineArn = String(bindings.stateMachineArn(workflow.name));
  const name = options.name ?? randomUUID();
  const arn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  new ExecutionNames(options.executionsDir ?? DEFAULT_EXECUTIONS_DIR).claim(workflow.name, name, {
    arn,
    input,
    claimedAt: new Date().toISOString(),
  });

  const history = new ExecutionHistory();
  const emit = (event: RunnerEvent) => {
    history.add(event);
    options.onEvent?.(event);
  };
  const env = runtimeEnv(options.env ?? process.env);
  const taskDir = await ensureJobBundle();
  const targets = taskTargets(bindings);
  const running = new Set<ChildProcess>();
  const lambdas = new LocalLambdas(runtimeConfig(env), (job, line) => {
    const state = currentLambdaState.get(job.name) ?? job.name;
    emit({ type: 'task-log', state, job: job.name, stream: 'stdout', line, at: Date.now() });
  });
  // Lambda handlers log through one logger per job; the state calling the job is the one it logs for.
  const currentLambdaState = new Map<string, string>();
  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [stateName, state] of allTaskStates(definition)) {
    if (state.Resource === LAMBDA_INVOKE) {
      const invoke = lambdaInvokeTask(stateName, targets, lambdas, options.interceptLambda);
      handlers[stateName] = (parameters) => {
        const job = targets.lambdaJob(String((parameters as { FunctionName?: unknown })?.FunctionName));
        if (job) currentLambdaState.set(job.name, stateName);
        return invoke(parameters);
      };
    } else if (state.Resource === ECS_RUN_TASK_SYNC) {
      handlers[stateName] = ecsRunTaskSync(stateName, targets, {
        taskDir,
        runtimeEnv: env,
        running,
        log: (job, stream, line) => {
          const at = Date.now();
          emit({ type: 'task-log', state: stateName, job: job.name, stream, line, at });
          const progress = stream === 'stdout' ? parseJobProgress(line) : undefined;
          if (progress) emit({ type: 'task-progress', state: stateName, job: job.name, progress, at });
        },
      });
    } else if (state.Resource === START_EXECUTION || state.Resource === START_EXECUTION_SYNC) {
      const workflowsByArn = new Map(allWorkflows.map((w) => [String(bindings.stateMachineArn(w.name)), w]));
      handlers[stateName] = startExecutionTask(
        stateName,
        state.Resource === START_EXECUTION_SYNC,
        workflowsByArn,
        (child, childInput, childName) =>
          runWorkflowLocally(child, childInput, { ...options, name: childName }),
      );
    } else
      throw new Error(
        `state ${stateName}: resource ${String(state.Resource)} is not supported by the local runner (supported: ${[LAMBDA_INVOKE, ECS_RUN_TASK_SYNC, START_EXECUTION, START_EXECUTION_SYNC].join(', ')})`,
      );
  }

  const machine = new StateMachine(definition as never, {
    // The definition already passed asl-validator at compile time; the interpreter's own ARN check rejects service integrations.
    validationOptions: { checkArn: false },
  });
  const startedAt = Date.now();
  emit({ type: 'execution-started', name, arn, input, at: startedAt });
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers as never },
    context: {
      Execution: {
        Id: arn,
        Name: name,
        RoleArn: roleArn(stateMachineArn),
        StartTime: new Date(startedAt).toISOString(),
      },
      StateMachine: {
        Id: stateMachineArn,
        Name: stateMachineArn.slice(stateMachineArn.lastIndexOf(':') + 1),
      },
    },
  });
  const events = forwardEvents(execution.eventLogs, emit);
  let outcome: Omit<LocalExecution, 'name' | 'arn' | 'history' | 'startedAt' | 'stoppedAt'>;
  try {
    outcome = { status: 'SUCCEEDED', output: await execution.result };
  } catch (error) {
    outcome = failureOf(error);
  } finally {
    for (const child of running) child.kill('SIGTERM');
    lambdas.close();
  }
  await events;
  const stoppedAt = Date.now();
  emit({ type: 'execution-finished', status: outcome.status, at: stoppedAt });
  // The state that failed with an error (a Task), rather than the Fail state the Catch led to.
  const failedRows = [...history.rows].reverse().filter((row) => row.status !== 'succeeded' && row.error);
  const failedRow = failedRows.find((row) => row.stateType !== 'Fail') ?? failedRows[0];
  return {
    name,
    arn,
    ...outcome,
    ...(outcome.status !== 'SUCCEEDED' && failedRow ? { failedState: failedRow.state } : {}),
    history: history.rows,
    startedAt,
    stoppedAt,
  };
}

/** Every Task state, including those inside Parallel branches and Map item processors. */
function* allTaskStates(definition: {
  States: Record<string, unknown>;
}): Generator<[string, { Resource?: unknown }]> {
  for (const [name, value] of Object.entries(definition.States)) {
    const state = value as {
      Type?: string;
      Resource?: unknown;
      Branches?: { States: Record<string, unknown> }[];
      Iterator?: { States: Record<string, unknown> };
      ItemProcessor?: { States: Record<string, unknown> };
    };
    if (state.Type === 'Task') yield [name, state];
    for (const branch of state.Branches ?? []) yield* allTaskStates(branch);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor) yield* allTaskStates(processor);
  }
}

/** Turns the interpreter's event log into runner events until the execution ends. */
async function forwardEvents(
  logs: AsyncGenerator<unknown>,
  emit: (event: RunnerEvent) => void,
): Promise<void> {
  for await (const raw of logs) {
    const event = raw as {
      type: string;
      timestamp: number;
      state?: { name: string; type: string };
      Error?: string;
      Cause?: unknown;
      retry?: { attempt: number };
      catch?: { catcher: { Next: string } };
    };
    const at = event.timestamp;
    const state = event.state?.name ?? '';
    const stateType = event.state?.type ?? '';
    switch (event.type) {
      case 'StateEntered':
        emit({ type: 'state-entered', state, stateType, at });
        break;
      case 'StateExited':
        emit({ type: 'state-exited', state, stateType, at });
        break;
      case 'StateFailed':
        emit({
          type: 'state-failed',
          state,
          stateType,
          error: event.Error ?? 'Error',
          cause: causeText(event.Cause),
          at,
        });
        break;
      case 'StateRetried':
        emit({ type: 'state-retried', state, attempt: event.retry?.attempt ?? 0, at });
        break;
      case 'StateCaught':
        emit({ type: 'state-caught', state, next: event.catch?.catcher.Next ?? '', at });
        break;
      default:
        break;
    }
  }
}

function causeText(cause: unknown): string {
  if (cause === undefined || cause === null) return '';
  if (typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  return JSON.stringify(cause);
}

function failureOf(
  error: unknown,
): Omit<LocalExecution, 'name' | 'arn' | 'history' | 'startedAt' | 'stoppedAt'> {
  const name = (error as Error)?.name;
  if (name === 'ExecutionTimeoutError')
    return {
      status: 'TIMED_OUT',
      error: 'States.Timeout',
      cause: 'The execution timed out (TimeoutSeconds)',
    };
  if (name === 'ExecutionAbortedError')
    return { status: 'ABORTED', error: 'Aborted', cause: 'The execution was aborted' };
  if (error instanceof ExecutionError) {
    const inner = (error as unknown as { cause?: unknown }).cause;
    const innerError = inner instanceof Error ? inner : undefined;
    return {
      status: 'FAILED',
      error: innerError?.name ?? 'Error',
      cause: innerError
        ? causeText((innerError as { cause?: unknown }).cause ?? innerError.message)
        : causeText(inner),
    };
  }
  return {
    status: 'FAILED',
    error: name ?? 'Error',
    cause: error instanceof Error ? error.message : String(error),
  };
}

function roleArn(stateMachineArn: string): string {
  const [, , , , account] = stateMachineArn.split(':');
  return `arn:aws:iam::${account}:role/${stateMachineArn.slice(stateMachineArn.lastIndexOf(':') + 1)}-role`;
}
