import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StateMachine } from 'aws-local-stepfunctions';
import { type AnyWorkflow, compileValidWorkflow } from '../../dsl/index.ts';
import { runtimeConfig } from '../../jobs/runtime/config.ts';
import { allWorkflows } from '../../workflows/index.ts';
import { placeholderResources } from '../../workflows/placeholder-bindings.ts';
import { repoRoot } from '../services/options.ts';
import type { LocalTask } from './ecs-run-task.ts';
import type { RunnerEvent, RunnerEventListener } from './events.ts';
import { ExecutionNames, type ExecutionRecord } from './execution-names.ts';
import { type ExecutionOutcome, failureOf, forwardEvents } from './execution-outcome.ts';
import { ExecutionHistory, type HistoryRow } from './history.ts';
import { ensureJobBundle } from './job-bundle.ts';
import { parseJobProgress } from './job-progress.ts';
import { type LambdaInterceptor, LocalLambdas } from './lambda-invoke.ts';
import { withLocalResultWriters } from './result-writer.ts';
import { runtimeEnv } from './runtime-env.ts';
import { ServiceClients } from './service-tasks.ts';
import { allTaskStates, taskHandlers } from './task-handlers.ts';
import { taskTargets } from './task-targets.ts';
import { TASK_TOKEN_PLACEHOLDER, TaskTokens } from './task-tokens.ts';

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
  /** Told of each Fargate task as it starts; `task.stop('SpotInterruption')` interrupts it as ECS would. */
  readonly onTaskStarted?: (task: LocalTask) => void;
  /** Folder of claimed execution names. @default `.local/runner/executions` */
  readonly executionsDir?: string;
}

/** How a local execution ended. */
export interface LocalExecution extends ExecutionOutcome {
  readonly name: string;
  readonly arn: string;
  /** The state whose failure ended the execution, or was caught last. */
  readonly failedState?: string;
  readonly history: readonly HistoryRow[];
  readonly startedAt: number;
  readonly stoppedAt: number;
}

/** Executions of this process still running, by names folder, workflow and name: a repeated start joins them. */
const running = new Map<string, Promise<LocalExecution>>();

/**
 * Runs a workflow's compiled ASL (the definition `pulumi up` deploys, with placeholder ARNs) locally with
 * aws-local-stepfunctions: every Task state is served by the job it is bound to, in this process (Lambda) or as
 * a child process (Fargate), or by the AWS emulator (service integrations). Starting a name that a running
 * execution with the same input holds gives that execution back, as StartExecution does; any other taken name
 * throws ExecutionAlreadyExistsError. Throws before starting when the input does not match the workflow's schema.
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
  // The interpreter ignores a map's ResultWriter: the runner rewrites such maps into ASL it runs.
  const definition = withLocalResultWriters(compileValidWorkflow(workflow, bindings).definition);
  const stateMachineArn = String(bindings.stateMachineArn(workflow.name));
  const name = options.name ?? randomUUID();
  const arn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  const names = new ExecutionNames(options.executionsDir ?? DEFAULT_EXECUTIONS_DIR);
  const key = join(names.dir, workflow.name, name);
  const record: ExecutionRecord = { name, arn, input, startedAt: Date.now(), status: 'RUNNING' };
  const { existing } = names.claim(workflow.name, record);
  if (existing) {
    options.onEvent?.({ type: 'execution-joined', name, arn, at: Date.now() });
    return running.get(key) ?? waitForClosed(names, workflow.name, existing);
  }
  const execution = execute(workflow, definition, input, { ...options, name, arn, stateMachineArn }).then(
    (result) => {
      const { history: _history, failedState: _failed, ...outcome } = result;
      names.close(workflow.name, { ...record, ...outcome });
      return result;
    },
  );
  running.set(key, execution);
  return execution.finally(() => running.delete(key));
}

/** An execution another process runs under the name: its outcome once its record says it is over. */
async function waitForClosed(
  names: ExecutionNames,
  workflow: string,
  record: ExecutionRecord,
): Promise<LocalExecution> {
  for (let current = record; ; current = names.read(workflow, record.name) ?? current) {
    const { status } = current;
    if (status !== 'RUNNING')
      return { ...current, status, history: [], stoppedAt: current.stoppedAt ?? Date.now() };
    await sleep(500);
  }
}

/** Runs one claimed execution to its end. */
async function execute(
  workflow: AnyWorkflow,
  definition: { States: Record<string, unknown> },
  input: unknown,
  options: LocalRunOptions & { name: string; arn: string; stateMachineArn: string },
): Promise<LocalExecution> {
  const { name, arn, stateMachineArn } = options;
  const history = new ExecutionHistory();
  const emit = (event: RunnerEvent) => {
    history.add(event);
    options.onEvent?.(event);
  };
  const env = runtimeEnv(options.env ?? process.env);
  const states = [...allTaskStates(definition)];
  const needsBundle = states.some(([, s]) => String(s.Resource).includes(':ecs:runTask'));
  const taskDir = needsBundle ? await ensureJobBundle() : '';
  const needsTokens = states.some(([, s]) => String(s.Resource).endsWith('.waitForTaskToken'));
  const tokens = needsTokens ? await TaskTokens.start() : undefined;
  const jobEnv = tokens ? { ...env, AWS_ENDPOINT_URL_SFN: tokens.endpoint } : env;
  let services: ServiceClients | undefined;
  const children = new Set<ChildProcess>();
  const currentLambdaState = new Map<string, string>();
  const lambdas = new LocalLambdas(
    runtimeConfig(env),
    (job, line) => {
      const state = currentLambdaState.get(job.name) ?? job.name;
      emit({ type: 'task-log', state, job: job.name, stream: 'stdout', line, at: Date.now() });
    },
    jobEnv,
  );
  const known = knownWorkflows(workflow);
  const targets = taskTargets(placeholderResources(), [
    ...new Set(known.flatMap((w) => w.steps.map((s) => s.job))),
  ]);
  const handlers = taskHandlers(definition, {
    targets,
    lambdas,
    interceptLambda: (invocation, invoke) => {
      // Lambda handlers log through one logger per job; the state calling the job is the one it logs for.
      currentLambdaState.set(invocation.job.name, invocation.state);
      return options.interceptLambda ? options.interceptLambda(invocation, invoke) : invoke();
    },
    tasks: {
      taskDir,
      runtimeEnv: jobEnv,
      running: children,
      ...(options.onTaskStarted ? { onTaskStarted: options.onTaskStarted } : {}),
      log: (state, job, stream, line) => {
        const at = Date.now();
        emit({ type: 'task-log', state, job: job.name, stream, line, at });
        const progress = stream === 'stdout' ? parseJobProgress(line) : undefined;
        if (progress) emit({ type: 'task-progress', state, job: job.name, progress, at });
      },
    },
    tokens: () => {
      if (!tokens) throw new Error('no task-token endpoint: the definition has no callback step');
      return tokens;
    },
    services: () => {
      services ??= new ServiceClients(env);
      return services;
    },
    executionArn: arn,
    workflowsByArn: new Map(known.map((w) => [String(placeholderResources().stateMachineArn(w.name)), w])),
    onCallbackWaiting: (state, token, endpoint) =>
      emit({ type: 'callback-waiting', state, token, endpoint, at: Date.now() }),
    startChild: (child, childInput, childName) =>
      runWorkflowLocally(child, childInput, { ...options, ...(childName ? { name: childName } : {}) }),
  });

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
      // Each callback step swaps this for a token of its own before it calls out.
      Task: { Token: TASK_TOKEN_PLACEHOLDER },
    },
  });
  const events = forwardEvents(execution.eventLogs, emit);
  let outcome: ExecutionOutcome;
  try {
    outcome = { status: 'SUCCEEDED', output: await execution.result };
  } catch (error) {
    outcome = failureOf(error);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    lambdas.close();
    tokens?.close();
    services?.close();
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

/** The workflows a run may reach: this one, those it starts (and so on), and the repository's. */
function knownWorkflows(workflow: AnyWorkflow): AnyWorkflow[] {
  const found = new Set<AnyWorkflow>();
  const visit = (w: AnyWorkflow) => {
    if (found.has(w)) return;
    found.add(w);
    w.started.forEach(visit);
  };
  [workflow, ...allWorkflows].forEach(visit);
  return [...found];
}

function roleArn(stateMachineArn: string): string {
  const [, , , , account] = stateMachineArn.split(':');
  return `arn:aws:iam::${account}:role/${stateMachineArn.slice(stateMachineArn.lastIndexOf(':') + 1)}-role`;
}
