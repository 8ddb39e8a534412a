import type { AnyWorkflow } from '../../dsl/index.ts';
import { ecsRunTaskSync, type LocalTaskOptions, startLocalTask } from './ecs-run-task.ts';
import { type LambdaInterceptor, type LocalLambdas, lambdaInvokeTask } from './lambda-invoke.ts';
import { LOCAL_RESULT_WRITER, mapResultWriterTask } from './result-writer.ts';
import { SERVED_INTEGRATIONS, type ServiceClients, serviceTask } from './service-tasks.ts';
import { type ChildOutcome, startExecutionTask } from './start-execution.ts';
import type { TaskTargets } from './task-targets.ts';
import { type TaskTokens, withTaskToken } from './task-tokens.ts';

/** A Task state's local handler: gets the resolved Parameters, answers with the raw result or throws a named error. */
export type TaskHandler = (parameters: unknown) => Promise<unknown>;

/** A Task state of a compiled definition, as far as its handler needs it. */
interface TaskState {
  readonly Resource?: unknown;
  readonly HeartbeatSeconds?: unknown;
}

/** What the handlers of one execution share. */
export interface TaskHandlerContext {
  readonly targets: TaskTargets;
  readonly lambdas: LocalLambdas;
  readonly interceptLambda?: LambdaInterceptor;
  readonly tasks: LocalTaskOptions;
  /** The task-token endpoint, started on first use. */
  readonly tokens: () => TaskTokens;
  /** The service clients, built on first use. */
  readonly services: () => ServiceClients;
  readonly workflowsByArn: ReadonlyMap<string, AnyWorkflow>;
  readonly startChild: (
    workflow: AnyWorkflow,
    input: unknown,
    name: string | undefined,
  ) => Promise<ChildOutcome>;
  /** The execution's ARN (map run ARNs are made of it). */
  readonly executionArn: string;
  /** Told of each token a callback step hands out. */
  readonly onCallbackWaiting?: (state: string, token: string, endpoint: string) => void;
}

const INTEGRATION = /^arn:aws:states:::(.+?)(\.sync(?::2)?|\.waitForTaskToken)?$/;

/** The resources the runner serves, for messages. */
export const SERVED_RESOURCES = [
  'lambda:invoke[.waitForTaskToken]',
  'ecs:runTask.sync',
  'ecs:runTask.waitForTaskToken',
  'states:startExecution[.sync:2]',
  ...SERVED_INTEGRATIONS.map((i) => `${i}[.waitForTaskToken where AWS offers it]`),
];

/**
 * The handler of every Task state of a definition (Parallel branches and Map iterations included), by state name;
 * throws before anything runs when a state calls a resource the runner does not serve.
 */
export function taskHandlers(definition: { States: Record<string, unknown> }, ctx: TaskHandlerContext) {
  const handlers: Record<string, TaskHandler> = {};
  for (const [name, state] of allTaskStates(definition)) handlers[name] = taskHandler(name, state, ctx);
  return handlers;
}

function taskHandler(name: string, state: TaskState, ctx: TaskHandlerContext): TaskHandler {
  const match = INTEGRATION.exec(String(state.Resource));
  const integration = match?.[1] ?? '';
  const pattern = match?.[2] ?? '';
  const heartbeat = typeof state.HeartbeatSeconds === 'number' ? state.HeartbeatSeconds : undefined;
  const callback = (call: TaskHandler): TaskHandler => waitingForCallback(name, call, ctx, heartbeat);
  if (state.Resource === LOCAL_RESULT_WRITER)
    return mapResultWriterTask(ctx.services, () => ctx.executionArn);
  if (integration === 'lambda:invoke') {
    const invoke = lambdaInvokeTask(name, ctx.targets, ctx.lambdas, ctx.interceptLambda);
    // A function error fails the state at once; otherwise it waits for the job's callback.
    return pattern ? callback(invoke) : invoke;
  }
  if (integration === 'ecs:runTask' && pattern === '.sync')
    return ecsRunTaskSync(name, ctx.targets, ctx.tasks);
  if (integration === 'ecs:runTask' && pattern === '.waitForTaskToken') {
    // As on AWS, the step waits for the callback only: a task that exits without one leaves it waiting.
    return callback(async (parameters) => {
      void startLocalTask(name, parameters, ctx.targets, ctx.tasks).stopped.catch(() => undefined);
    });
  }
  if (integration === 'states:startExecution' && pattern !== '.waitForTaskToken') {
    return startExecutionTask(name, pattern === '.sync:2', ctx.workflowsByArn, ctx.startChild);
  }
  if (SERVED_INTEGRATIONS.includes(integration) && (pattern === '' || pattern === '.waitForTaskToken')) {
    const call = serviceTask(name, integration, ctx.services);
    return pattern ? callback(call) : call;
  }
  throw new Error(
    `state ${name}: resource ${String(state.Resource)} is not served by the local runner (served: ${SERVED_RESOURCES.join(', ')})`,
  );
}

/**
 * Makes the call with a token of its own in place of `$$.Task.Token` and ends with the callback, or with the
 * call's own failure, whichever comes first; the heartbeat clock runs from the start, even while the call does.
 */
function waitingForCallback(
  state: string,
  call: TaskHandler,
  ctx: TaskHandlerContext,
  heartbeatSeconds: number | undefined,
): TaskHandler {
  const { tokens } = ctx;
  return async (parameters) => {
    const { token, outcome } = tokens().issue(state, heartbeatSeconds);
    ctx.onCallbackWaiting?.(state, token, tokens().endpoint);
    const called = call(withTaskToken(parameters, token)).catch((error: unknown) => {
      tokens().cancel(token);
      throw error;
    });
    // A call that fails after the step ended changes nothing.
    called.catch(() => undefined);
    return Promise.race([called.then(() => outcome), outcome]);
  };
}

/** Every Task state, including those inside Parallel branches and Map item processors. */
export function* allTaskStates(definition: {
  States: Record<string, unknown>;
}): Generator<[string, TaskState]> {
  for (const [name, value] of Object.entries(definition.States)) {
    const state = value as TaskState & {
      Type?: string;
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
