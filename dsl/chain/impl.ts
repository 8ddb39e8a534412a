import type { Condition } from '../conditions.ts';
import { contextRefs, mapItemContextRefs, taskTokenContextRefs } from '../context.ts';
import type { ChainNode, MapNode, RecoverableNode, StateNode } from '../graph.ts';
import { isRecoverable } from '../graph.ts';
import type { AnyJob, Executor } from '../job.ts';
import { checkResultPath, type ResultPath } from '../placement.ts';
import { type Ref, refExpression, refTree, type Scope } from '../ref.ts';
import type { RetryRule } from '../retry.ts';
import { type DistributedMapOptions, type ItemSource, isItemReader, type MapOptions } from '../states/map.ts';
import type { PassOptions } from '../states/pass.ts';
import { type FargateOptions, type FargatePattern, fargateTaskNode } from '../tasks/fargate.ts';
import { type LambdaOptions, type LambdaPattern, lambdaTaskNode } from '../tasks/lambda.ts';
import { type AnyServiceIntegration, type ServiceStepOptions, serviceTaskNode } from '../tasks/service.ts';
import { type StartWorkflowOptions, startWorkflowNode } from '../tasks/start-workflow.ts';
import type { TaskOptions } from '../tasks/task-options.ts';
import type { AnyWorkflow } from '../workflow-declaration.ts';
import type { Chain } from './chain.ts';
import { type AnyChain, CHAIN } from './types.ts';

/** The recorded graph of a chain value. */
export function chainNode(chain: AnyChain): ChainNode {
  return chain[CHAIN];
}

/** Starts a fragment whose state shape is `Start` (for Catch handlers and shared endings). */
export function fragment<Start, Sc extends Scope = 'w'>(): Chain<Start, Start, Sc> {
  return new ChainImpl(emptyChain(false)) as unknown as Chain<Start, Start, Sc>;
}

/** Starts a workflow's definition: its tasks (and those of its Choice branches) take the default Catch. */
export function startChain<Start, Sc extends Scope>(): Chain<Start, Start, Sc> {
  return new ChainImpl(emptyChain(true)) as unknown as Chain<Start, Start, Sc>;
}

function emptyChain(takesDefaultCatch: boolean): ChainNode {
  return { states: [], terminated: false, takesDefaultCatch };
}

type Callback = (...args: never[]) => unknown;

/** The loosely typed runtime behind `Chain`; the public interface carries the precise types. */
class ChainImpl {
  readonly [CHAIN]: ChainNode;
  readonly terminated: boolean;

  constructor(node: ChainNode) {
    this[CHAIN] = node;
    this.terminated = node.terminated;
  }

  private add(state: StateNode, terminated = false): ChainImpl {
    const node = this[CHAIN];
    if (node.terminated) {
      throw new Error(
        `State '${state.name}': cannot follow '${node.states.at(-1)?.name}', which ends the chain`,
      );
    }
    if (state.name.length === 0) throw new Error('A state needs a non-empty name');
    if (node.states.some((s) => s.name === state.name))
      throw new Error(`State '${state.name}': name already used in this chain`);
    return new ChainImpl({ ...node, states: [...node.states, state], terminated });
  }

  /** Calls an author's callback with the state's references and `extra` (context references, …). */
  private build(callback: Callback | undefined, ...extra: unknown[]): unknown {
    return callback ? (callback as (...a: unknown[]) => unknown)(refTree('$'), ...extra) : undefined;
  }

  /** A literal, or the reference an author's callback picks from the state. */
  private valueOrRef(value: unknown): unknown {
    return typeof value === 'function' ? this.build(value as Callback) : value;
  }

  /** A nested chain (Choice branch, Catch handler, Parallel branch, Map iteration) built by a callback. */
  private nested(build: Callback, takesDefaultCatch: boolean): ChainNode {
    return (build as (start: ChainImpl) => ChainImpl)(new ChainImpl(emptyChain(takesDefaultCatch)))[CHAIN];
  }

  lambdaStep(
    name: string,
    job: AnyJob,
    payload: Callback,
    options: LambdaOptions<ResultPath, LambdaPattern> = {},
  ) {
    requireExecutor(name, job, 'lambda');
    checkResultPath(name, options.resultPath);
    const ctx = options.integration === 'waitForTaskToken' ? taskTokenContextRefs : contextRefs;
    return this.add(lambdaTaskNode(name, job, this.build(payload, ctx) as Record<string, unknown>, options));
  }

  fargateStep(
    name: string,
    job: AnyJob,
    environment: Callback,
    options: FargateOptions<ResultPath, FargatePattern> = {},
  ) {
    requireExecutor(name, job, 'fargate');
    checkResultPath(name, options.resultPath);
    const ctx = options.integration === 'waitForTaskToken' ? taskTokenContextRefs : contextRefs;
    return this.add(
      fargateTaskNode(name, job, this.build(environment, ctx) as Record<string, unknown>, options),
    );
  }

  startWorkflowStep(
    name: string,
    workflow: AnyWorkflow,
    input: Callback,
    options: StartWorkflowOptions<unknown, Scope, ResultPath> = {},
  ) {
    checkResultPath(name, options.resultPath);
    const executionName = options.executionName;
    return this.add(
      startWorkflowNode(
        name,
        workflow,
        this.build(input, contextRefs) as Record<string, unknown>,
        typeof executionName === 'function' ? this.build(executionName) : executionName,
        options,
      ),
    );
  }

  serviceStep(name: string, build: Callback, options: ServiceStepOptions<ResultPath, never, unknown> = {}) {
    checkResultPath(name, options.resultPath);
    const ctx = options.integration === 'waitForTaskToken' ? taskTokenContextRefs : contextRefs;
    return this.add(serviceTaskNode(name, this.build(build, ctx) as AnyServiceIntegration, options));
  }

  pass(name: string, options: { result?: unknown; parameters?: Callback } & PassOptions<ResultPath>) {
    checkResultPath(name, options.resultPath);
    return this.add({
      kind: 'pass',
      name,
      comment: options.comment,
      result: options.result,
      parameters: this.build(options.parameters, contextRefs) as Record<string, unknown> | undefined,
      resultPath: options.resultPath,
    });
  }

  wait(name: string, options: { seconds?: number | Callback; timestamp?: string | Callback }) {
    return this.add({
      kind: 'wait',
      name,
      seconds: this.valueOrRef(options.seconds),
      timestamp: this.valueOrRef(options.timestamp),
    });
  }

  choice(name: string, branches: Callback, otherwise?: Callback) {
    const specs = this.build(branches) as { condition: Condition<Scope>; steps: Callback }[];
    if (specs.length === 0) throw new Error(`State '${name}': a Choice needs at least one branch`);
    const inherit = this[CHAIN].takesDefaultCatch;
    return this.add({
      kind: 'choice',
      name,
      branches: specs.map((b) => ({ condition: b.condition, chain: this.nested(b.steps, inherit) })),
      otherwise: otherwise ? this.nested(otherwise, inherit) : undefined,
    });
  }

  parallel(name: string, branches: readonly Callback[], options: TaskOptions<ResultPath> = {}) {
    if (branches.length === 0) throw new Error(`State '${name}': a Parallel needs at least one branch`);
    checkResultPath(name, options.resultPath);
    return this.add({
      kind: 'parallel',
      name,
      comment: options.comment,
      branches: branches.map((b) => this.nested(b, false)),
      resultPath: options.resultPath,
    });
  }

  map(
    name: string,
    items: Callback,
    options: MapOptions<unknown, Scope, unknown, unknown, ResultPath>,
    iterate: Callback,
  ) {
    checkResultPath(name, options.resultPath);
    const array = this.build(items) as Ref<unknown, Scope>;
    return this.add(
      this.mapNode(name, iterate, options.itemSelector as Callback | undefined, {
        mode: 'INLINE',
        itemsPath: refExpression(array),
        maxConcurrency: this.valueOrRef(options.maxConcurrency),
        resultPath: options.resultPath,
        comment: options.comment,
      }),
    );
  }

  distributedMap(
    name: string,
    items: Callback,
    options: DistributedMapOptions<unknown, Scope, unknown, unknown, unknown, unknown, ResultPath>,
    iterate: Callback,
  ) {
    checkResultPath(name, options.resultPath);
    const source = this.build(items) as ItemSource<unknown, Scope>;
    const batcher = options.itemBatcher;
    const writer = options.resultWriter as { bucket: unknown; prefix: unknown } | undefined;
    return this.add(
      this.mapNode(name, iterate, options.itemSelector as Callback | undefined, {
        mode: 'DISTRIBUTED',
        ...(isItemReader(source) ? { itemReader: source.reader } : { itemsPath: refExpression(source) }),
        itemBatcher: batcher && {
          maxItemsPerBatch: batcher.maxItemsPerBatch,
          maxInputBytesPerBatch: batcher.maxInputBytesPerBatch,
          batchInput: this.build(batcher.batchInput as Callback | undefined) as
            | Record<string, unknown>
            | undefined,
        },
        resultWriter: writer && { bucket: writer.bucket, prefix: writer.prefix },
        maxConcurrency: this.valueOrRef(options.maxConcurrency ?? 1000),
        toleratedFailurePercentage: this.valueOrRef(options.toleratedFailurePercentage),
        toleratedFailureCount: this.valueOrRef(options.toleratedFailureCount),
        executionType: options.executionType ?? 'STANDARD',
        label: options.label,
        resultPath: options.resultPath,
        comment: options.comment,
      }),
    );
  }

  private mapNode(
    name: string,
    iterate: Callback,
    itemSelector: Callback | undefined,
    settings: Omit<MapNode, 'kind' | 'name' | 'iterator' | 'itemSelector'>,
  ): MapNode {
    return {
      kind: 'map',
      name,
      ...settings,
      itemSelector: this.build(itemSelector, mapItemContextRefs()) as Record<string, unknown> | undefined,
      iterator: this.nested(iterate, false),
    };
  }

  retry(...rules: RetryRule[]) {
    return this.updateLast('Retry', (last) => ({ ...last, retry: [...(last.retry ?? []), ...rules] }));
  }

  catch(errors: readonly string[], options: { resultPath: ResultPath; next: AnyChain | Callback }) {
    return this.updateLast('Catch', (last) => {
      checkResultPath(last.name, options.resultPath);
      const next =
        typeof options.next === 'function' ? this.nested(options.next, false) : chainNode(options.next);
      if (next.states.length === 0 && next.goto === undefined && next.gotoState === undefined)
        throw new Error(`State '${last.name}': Catch leads to an empty fragment`);
      return { ...last, catch: [...(last.catch ?? []), { errors, resultPath: options.resultPath, next }] };
    });
  }

  selectResult(build: Callback) {
    return this.updateLast('selectResult', (last) => ({
      ...last,
      resultSelector: (build as (...a: unknown[]) => unknown)(refTree('$'), contextRefs) as Record<
        string,
        unknown
      >,
    }));
  }

  private updateLast(field: string, update: (last: RecoverableNode) => StateNode) {
    const node = this[CHAIN];
    const last = node.states.at(-1);
    if (!last) throw new Error(`${field} needs a state before it`);
    if (!isRecoverable(last)) {
      throw new Error(
        `State '${last.name}': ${field} applies to Task, Parallel and Map states, not ${last.kind}`,
      );
    }
    return new ChainImpl({ ...node, states: [...node.states.slice(0, -1), update(last)] });
  }

  succeed(name: string, options: { comment?: string } = {}) {
    return this.add({ kind: 'succeed', name, comment: options.comment }, true);
  }

  fail(name: string, options: { error: string | Callback; cause?: string | Callback; comment?: string }) {
    return this.add(
      {
        kind: 'fail',
        name,
        comment: options.comment,
        error: this.valueOrRef(options.error),
        cause: this.valueOrRef(options.cause),
      },
      true,
    );
  }

  goto(next: AnyChain | string) {
    const node = this[CHAIN];
    if (node.terminated)
      throw new Error(`goto cannot follow '${node.states.at(-1)?.name}', which ends the chain`);
    if (typeof next === 'string') {
      if (next.length === 0) throw new Error('goto needs the name of a state');
      return new ChainImpl({ ...node, gotoState: next, terminated: true });
    }
    const target = chainNode(next);
    if (target.states.length === 0 && target.goto === undefined && target.gotoState === undefined)
      throw new Error('goto leads to an empty fragment');
    return new ChainImpl({ ...node, goto: target, terminated: true });
  }
}

function requireExecutor(state: string, job: AnyJob, executor: Executor): void {
  if (!job.runsOn.includes(executor)) {
    throw new Error(
      `State '${state}': job '${job.name}' cannot run on ${executor} (runsOn: ${job.runsOn.join(', ')})`,
    );
  }
}
