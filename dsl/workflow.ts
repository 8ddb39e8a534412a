import type { z } from 'zod';
import type { Chain } from './chain/chain.ts';
import { chainNode, startChain } from './chain/impl.ts';
import type { AnyChain, Fragment, NotRecoverable } from './chain/types.ts';
import type { EcsErrorName, LambdaErrorName, StatesErrorName, StepFunctionsErrorName } from './errors.ts';
import { type CatchNode, type ChainNode, forEachChain, isTask, type TaskNode } from './graph.ts';
import { mapGraph } from './graph-map.ts';
import type { Executor } from './job.ts';
import { checkResultPath, type ResultPath } from './placement.ts';
import type { RetryRule } from './retry.ts';
import { withStoppedTaskRetries } from './tasks/fargate-stopped.ts';
import type { RootScope, Workflow, WorkflowStep } from './workflow-declaration.ts';

export type {
  AnyWorkflow,
  RootScope,
  Workflow,
  WorkflowInputOf,
  WorkflowStep,
} from './workflow-declaration.ts';

/** The default catcher a workflow gives a task: the error names, where the error goes, and the handler. */
export interface DefaultCatch<P extends ResultPath, X> {
  readonly errors: readonly StatesErrorName[];
  readonly resultPath: P;
  readonly next: Fragment<X, RootScope>;
}

/** Retry and Catch of every task that does not set its own (`.retry(...)`, `.catch(...)`). */
export interface WorkflowDefaults<P extends ResultPath, X> {
  /** Retriers by task kind, for every task of the workflow without retriers of its own (`.retry()` turns them off). */
  readonly retry?: {
    readonly lambda?: readonly RetryRule<StatesErrorName | LambdaErrorName>[];
    readonly fargate?: readonly RetryRule<StatesErrorName | EcsErrorName>[];
    readonly startWorkflow?: readonly RetryRule<StatesErrorName | StepFunctionsErrorName>[];
    readonly service?: readonly RetryRule<StatesErrorName>[];
  };
  /**
   * The catcher of every task of the definition's top-level scope (its Choice branches included) without catchers
   * of its own, made per task (`step` is its name). Not for tasks in Parallel branches, Map iterations, fragments
   * or catch handlers (a failure path would catch into itself). Every such task is type-checked against it.
   */
  readonly catch?: (step: string) => DefaultCatch<P, X>;
}

/** The chain a definition starts with: what the default Catch's handler needs is checked at every task. */
type RootChain<Input, P extends ResultPath, X> = Chain<
  Input,
  Input,
  RootScope,
  NotRecoverable,
  {
    readonly labels: {};
    readonly errors: never;
    readonly defaultCatch: [P] extends [never] ? undefined : { readonly resultPath: P; readonly needs: X };
  }
>;

const WORKFLOW_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * Declares a workflow. `definition` receives the start of the chain, typed by the input schema, and returns
 * the built chain; references to the input are checked against the schema. `defaults` gives every task its
 * Retry and Catch unless the task sets its own.
 */
export function defineWorkflow<
  Schema extends z.ZodType,
  const P extends ResultPath = never,
  X = never,
>(spec: {
  name: string;
  description: string;
  input: Schema;
  timeoutSeconds?: number;
  defaults?: WorkflowDefaults<P, X>;
  definition: (start: RootChain<z.input<Schema>, P, X>) => AnyChain<RootScope>;
}): Workflow<z.input<Schema>> {
  if (!WORKFLOW_NAME.test(spec.name)) {
    throw new Error(`Workflow '${spec.name}': name must be kebab-case, 1-64 characters (${WORKFLOW_NAME})`);
  }
  const written = chainNode(spec.definition(startChain() as RootChain<z.input<Schema>, P, X>));
  if (written.states.length === 0) throw new Error(`Workflow '${spec.name}': the definition has no states`);
  const defaulted = spec.defaults
    ? withDefaults(written, spec.defaults as unknown as WorkflowDefaults<ResultPath, unknown>)
    : written;
  // After the defaults, so that a stopped task's error not run again goes on to the default Catch.
  const root = withStoppedTaskRetries(defaulted);
  return Object.freeze({
    kind: 'workflow',
    name: spec.name,
    description: spec.description,
    input: spec.input as unknown as z.ZodType<unknown, z.input<Schema>>,
    timeoutSeconds: spec.timeoutSeconds,
    root,
    steps: workflowSteps(root),
    started: startedWorkflows(root),
  });
}

const RETRY_KIND = {
  lambdaTask: 'lambda',
  fargateTask: 'fargate',
  startWorkflow: 'startWorkflow',
  serviceTask: 'service',
} as const satisfies Record<TaskNode['kind'], string>;

/** The graph with the defaults given to every task that has no Retry (or Catch) of its own. */
function withDefaults(root: ChainNode, defaults: WorkflowDefaults<ResultPath, unknown>): ChainNode {
  const defaultCatch = (step: string): CatchNode[] | undefined => {
    const spec = defaults.catch?.(step);
    if (!spec) return undefined;
    checkResultPath(step, spec.resultPath);
    return [{ errors: spec.errors, resultPath: spec.resultPath, next: chainNode(spec.next) }];
  };
  return mapGraph(root, (state, chain, mapChain) => {
    if (!isTask(state)) return state;
    const retry = state.retry ?? defaults.retry?.[RETRY_KIND[state.kind]];
    const catches =
      state.catch ??
      (chain.takesDefaultCatch
        ? defaultCatch(state.name)?.map((c) => ({ ...c, next: mapChain(c.next) }))
        : undefined);
    return { ...state, ...(retry ? { retry } : {}), ...(catches ? { catch: catches } : {}) };
  });
}

function startedWorkflows(root: ChainNode): Workflow<unknown>[] {
  const started = new Set<Workflow<unknown>>();
  forEachChain(root, (chain) => {
    // Only `defineWorkflow` makes the values `startWorkflowStep` takes.
    for (const state of chain.states)
      if (state.kind === 'startWorkflow') started.add(state.workflow as Workflow<unknown>);
  });
  return [...started];
}

function workflowSteps(root: ChainNode): WorkflowStep[] {
  const steps = new Map<string, { job: WorkflowStep['job']; executor: Executor; callback: boolean }>();
  forEachChain(root, (chain) => {
    for (const state of chain.states) {
      if (state.kind !== 'lambdaTask' && state.kind !== 'fargateTask') continue;
      const executor: Executor = state.kind === 'lambdaTask' ? 'lambda' : 'fargate';
      const key = `${state.job.name}/${executor}`;
      const callback = state.pattern === 'waitForTaskToken' || (steps.get(key)?.callback ?? false);
      steps.set(key, { job: state.job, executor, callback });
    }
  });
  return [...steps.values()];
}
