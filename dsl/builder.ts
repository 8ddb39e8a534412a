import type { Condition } from './conditions.ts';
import { type ContextRefs, contextRefs, type MapItemContextRefs, mapItemContextRefs } from './context.ts';
import type {
  CaughtError,
  EcsErrorName,
  LambdaErrorName,
  StatesErrorName,
  StepFunctionsErrorName,
} from './errors.ts';
import type { ChainNode, ItemReaderNode, MapNode, StateNode } from './graph.ts';
import type { AnyJob, Executor, JobErrorName, JobInput, JobOutput } from './job.ts';
import type { PayloadOf, PayloadTemplate, Value } from './payload.ts';
import { checkResultPath, type Placed, type ResultPath } from './placement.ts';
import { type Ref, type RefTree, refExpression, refTree, type Scope } from './ref.ts';
import type { RetryRule } from './retry.ts';
import type { AnyWorkflow, Workflow } from './workflow.ts';

/** Runtime key of the recorded graph on every chain value. */
export const CHAIN = Symbol.for('audience-io.chain');

declare const START: unique symbol;
declare const OUTPUT: unique symbol;

/** What the last state added to a chain accepts: Retry/Catch only where `recoverable`. */
export interface LastState {
  readonly recoverable: boolean;
  /** The state's input, which a Catch extends with the error. */
  readonly input: unknown;
  /** Error names a Retry/Catch on it may match. */
  readonly errors: string;
}

/** No state yet, or one that takes no Retry/Catch. */
export interface NotRecoverable extends LastState {
  readonly recoverable: false;
  readonly input: never;
  readonly errors: never;
}

/** A Task, Parallel or Map state with input `In` that may fail with `E`. */
export interface Recoverable<In, E extends string> extends LastState {
  readonly recoverable: true;
  readonly input: In;
  readonly errors: E;
}

/**
 * A piece of workflow that starts with state shape `Start`, valid in scope `Sc`. Catches and gotos lead into
 * fragments; a fragment accepts any state that has at least the fields it needs.
 */
export interface Fragment<in Start, Sc extends Scope> {
  readonly [CHAIN]: ChainNode;
  readonly [START]?: (input: Start) => void;
  readonly [OUTPUT]?: Sc;
}

/** A chain that ended (Succeed, Fail, goto): nothing can follow it. */
export interface Terminated<in Start, Sc extends Scope> extends Fragment<Start, Sc> {
  readonly terminated: true;
}

/** Any chain or terminated chain in scope `Sc`. */
// biome-ignore lint/suspicious/noExplicitAny: a chain of any start/state shape
export type AnyChain<Sc extends Scope = any> = Fragment<any, Sc>;

/** The state shape at the end of a chain (`unknown` for a terminated one). */
// biome-ignore lint/suspicious/noExplicitAny: extracting a type argument
export type ChainOutput<C> = C extends Chain<any, infer S, any, any> ? S : unknown;

/** The state inside a map iteration: the item, or the value the item selector builds. */
export type IterationInput<Item, Sel> = [Sel] extends [undefined] ? Item : Resolved<Sel>;

/** The value a template of literals and references stands for at run time. */
export type Resolved<T> =
  T extends Ref<infer V, Scope>
    ? V
    : T extends readonly unknown[]
      ? { -readonly [I in keyof T]: Resolved<T[I]> }
      : T extends object
        ? { -readonly [K in keyof T]: Resolved<T[K]> }
        : T;

/** Jobs that may run on executor `E`. */
type RunnableOn<J extends AnyJob, E extends Executor> = E extends J['runsOn'][number]
  ? J
  : J & { readonly [K in `job '${J['name']}' cannot run on ${E}`]: never };

/**
 * What a Lambda step produces: the invoke response reduced by its ResultSelector to `{ Payload }`, the job's
 * output (ASL cannot unwrap it further: a ResultSelector yields an object).
 */
export interface LambdaResult<J extends AnyJob> {
  readonly Payload: JobOutput<J>;
}

/** What an `ecs:runTask.sync` step produces: the ECS task description. */
export interface EcsTaskResult {
  readonly TaskArn: string;
  readonly LastStatus: string;
  readonly StoppedReason?: string;
  readonly Containers: readonly { readonly Name: string; readonly ExitCode?: number }[];
}

/** Options common to Task states. */
export interface TaskOptions<P extends ResultPath> {
  /** Where the result goes: `'$'` replaces the state, `'$.a'` places it, `null` discards it. @default '$' (ASL) */
  readonly resultPath?: P;
  /** Fails the state with States.Timeout after this many seconds. */
  readonly timeoutSeconds?: number;
  readonly comment?: string;
}

/** Options of a Fargate step. */
export interface FargateOptions<P extends ResultPath> extends TaskOptions<P> {
  /** Fails the state with States.HeartbeatTimeout when the task sends no heartbeat for this long. */
  readonly heartbeatSeconds?: number;
}

/** The input type of a workflow. */
export type WorkflowInputOf<W> = W extends Workflow<infer I> ? I : never;

/** What `states:startExecution` returns (without `waitForCompletion`). */
export interface StartedExecution {
  readonly ExecutionArn: string;
  readonly StartDate: string;
}

/** Options of a step that starts another workflow. */
export interface StartWorkflowOptions<S, Sc extends Scope, P extends ResultPath> extends TaskOptions<P> {
  /** The execution's name; a second start under the same name fails with ExecutionAlreadyExistsException. */
  readonly executionName?: string | ((state: RefTree<S, Sc>) => Ref<string, Sc>);
  /** Wait for the started execution to end. @default false */
  readonly waitForCompletion?: boolean;
}

/** Options of a Pass state. */
export interface PassOptions<P extends ResultPath> {
  readonly resultPath?: P;
  readonly comment?: string;
}

/** One branch of a Choice: when `condition` holds, run `steps`. */
export interface ChoiceBranch<S, Sc extends Scope> {
  readonly condition: Condition<Sc>;
  readonly steps: (start: Chain<S, S, Sc>) => AnyChain<Sc>;
}

/** Settings of a Map state. */
export interface MapOptions<S, Sc extends Scope, Item, Sel, P extends ResultPath> {
  /** Builds each iteration's input from the item (`ctx.map.item`) and the map's input. @default the item */
  readonly itemSelector?: (state: RefTree<S, Sc>, ctx: MapItemContextRefs<Item, Sc>) => Sel;
  /** Iterations run at once; 0 = as many as possible. @default 0 */
  readonly maxConcurrency?: number;
  readonly resultPath?: P;
  readonly comment?: string;
}

/** Settings of a distributed Map state (child executions, items read from S3). */
export interface DistributedMapOptions<S, Sc extends Scope, Item, Sel, P extends ResultPath> {
  /** Builds each child execution's input from the item (`ctx.map.item`) and the map's input. @default the item */
  readonly itemSelector?: (state: RefTree<S, Sc>, ctx: MapItemContextRefs<Item, Sc>) => Sel;
  /** Child executions at once (max 10,000). @default 1000 */
  readonly maxConcurrency?: number;
  /** Share of failed items tolerated before the map fails (0-100). @default 0 */
  readonly toleratedFailurePercentage?: number;
  /** Number of failed items tolerated before the map fails. @default 0 */
  readonly toleratedFailureCount?: number;
  /** Child workflow type. @default 'STANDARD' */
  readonly executionType?: 'STANDARD' | 'EXPRESS';
  /** Label of the child executions (≤ 40 characters). */
  readonly label?: string;
  readonly resultPath?: P;
  readonly comment?: string;
}

/** A typed S3 item reader, made with `s3CsvItems` or `s3JsonItems`. */
export interface ItemReaderSpec<Item, Sc extends Scope> {
  readonly reader: ItemReaderNode;
  /** Phantom: the item type. */
  readonly item?: Item;
  readonly scope?: Sc;
}

/** Reads a CSV object whose first row is the header: every item is a row of strings. */
export function s3CsvItems<Row extends Record<string, string>, Sc extends Scope = never>(source: {
  bucket: Value<string, Sc>;
  key: Value<string, Sc>;
  maxItems?: number;
}): ItemReaderSpec<Row, Sc> {
  return { reader: { ...source, inputType: 'CSV', csvHeaderFromFirstRow: true } };
}

/** Reads a JSON array (or JSON Lines) object: every item is one element. */
export function s3JsonItems<Item, Sc extends Scope = never>(source: {
  bucket: Value<string, Sc>;
  key: Value<string, Sc>;
  lines?: boolean;
  maxItems?: number;
}): ItemReaderSpec<Item, Sc> {
  const { lines, ...rest } = source;
  return { reader: { ...rest, inputType: lines ? 'JSONL' : 'JSON' } };
}

/**
 * The fluent, immutable workflow builder. `Start` is the shape the chain begins with, `S` the state shape
 * at its end, `Sc` the scope of `$`, and `Last` what the last state accepts (Retry/Catch).
 */
export interface Chain<Start, S, Sc extends Scope, Last extends LastState = NotRecoverable>
  extends Fragment<Start, Sc> {
  /**
   * A Lambda task (`arn:aws:states:::lambda:invoke`). The payload is checked against the job's input type.
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
   */
  lambdaStep<
    J extends AnyJob,
    const Payload extends PayloadOf<JobInput<J>, Sc>,
    const P extends ResultPath = '$',
  >(
    name: string,
    job: RunnableOn<J, 'lambda'>,
    payload: (state: RefTree<S, Sc>, ctx: ContextRefs) => Payload,
    options?: TaskOptions<P>,
  ): Chain<
    Start,
    Placed<S, P, LambdaResult<J>>,
    Sc,
    Recoverable<S, StatesErrorName | LambdaErrorName | JobErrorName<J>>
  >;

  /**
   * An ECS Fargate task (`arn:aws:states:::ecs:runTask.sync`). Each environment entry is checked against the
   * job's input type and becomes the UPPER_SNAKE_CASE variable the job's entry point reads.
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html
   */
  fargateStep<
    J extends AnyJob,
    const Env extends PayloadOf<JobInput<J>, Sc>,
    const P extends ResultPath = '$',
  >(
    name: string,
    job: RunnableOn<J, 'fargate'>,
    environment: (state: RefTree<S, Sc>, ctx: ContextRefs) => Env,
    options?: FargateOptions<P>,
  ): Chain<Start, Placed<S, P, EcsTaskResult>, Sc, Recoverable<S, StatesErrorName | EcsErrorName>>;

  /**
   * Starts an execution of another workflow (`arn:aws:states:::states:startExecution`); its input is checked
   * against that workflow's input type. With `waitForCompletion`, waits for it (`.sync:2`) and takes its output.
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html
   */
  startWorkflowStep<
    W extends AnyWorkflow,
    const Input extends PayloadOf<WorkflowInputOf<W>, Sc>,
    const P extends ResultPath = '$',
  >(
    name: string,
    workflow: W,
    input: (state: RefTree<S, Sc>, ctx: ContextRefs) => Input,
    options?: StartWorkflowOptions<S, Sc, P>,
  ): Chain<
    Start,
    Placed<S, P, StartedExecution>,
    Sc,
    Recoverable<S, StatesErrorName | StepFunctionsErrorName>
  >;

  /** A Pass state that places a fixed result, or a payload built from references. */
  pass<const R, const P extends ResultPath = '$'>(
    name: string,
    options: ({ result: R } | { parameters: (state: RefTree<S, Sc>, ctx: ContextRefs) => R }) &
      PassOptions<P>,
  ): Chain<Start, Placed<S, P, Resolved<R>>, Sc>;

  /** A Wait state: a number of seconds or until a timestamp. */
  wait(
    name: string,
    options:
      | { seconds: number | ((state: RefTree<S, Sc>) => Ref<number, Sc>) }
      | { timestamp: string | ((state: RefTree<S, Sc>) => Ref<string, Sc>) },
  ): Chain<Start, S, Sc>;

  /**
   * A Choice state. Branches that do not end go on with the state after the choice; so does the flow when
   * no branch matches and there is no `otherwise`. A Choice that is the last state has nothing to go on to:
   * without `otherwise`, no match fails the execution with States.NoChoiceMatched, as on AWS.
   */
  choice(
    name: string,
    branches: (state: RefTree<S, Sc>) => readonly ChoiceBranch<S, Sc>[],
    otherwise?: (start: Chain<S, S, Sc>) => AnyChain<Sc>,
  ): Chain<Start, S, Sc>;

  /** A Parallel state; its result is the array of the branches' outputs. */
  parallel<
    const B extends readonly ((start: Chain<S, S, Sc>) => AnyChain<Sc>)[],
    const P extends ResultPath = '$',
  >(
    name: string,
    branches: B,
    options?: TaskOptions<P>,
  ): Chain<
    Start,
    Placed<S, P, { -readonly [I in keyof B]: ChainOutput<ReturnType<B[I]>> }>,
    Sc,
    Recoverable<S, StatesErrorName | (string & {})>
  >;

  /**
   * An inline Map state over an array of the state. Inside, `$` is the item, or what `itemSelector` builds
   * from the item (`ctx.map.item`) and the map's input.
   */
  map<
    Item,
    const Sel extends PayloadTemplate | undefined = undefined,
    const P extends ResultPath = '$',
    C extends AnyChain = AnyChain,
  >(
    name: string,
    items: (state: RefTree<S, Sc>) => Ref<readonly Item[], Sc>,
    options: MapOptions<S, Sc, Item, Sel, P>,
    iterate: (start: Chain<IterationInput<Item, Sel>, IterationInput<Item, Sel>, `${Sc}>m`>) => C,
  ): Chain<Start, Placed<S, P, ChainOutput<C>[]>, Sc, Recoverable<S, StatesErrorName | (string & {})>>;

  /** A distributed Map state: items read from S3 (`s3CsvItems`, `s3JsonItems`), each iteration a child execution. */
  distributedMap<
    Item,
    const Sel extends PayloadTemplate | undefined = undefined,
    const P extends ResultPath = '$',
  >(
    name: string,
    itemReader: (state: RefTree<S, Sc>) => ItemReaderSpec<Item, Sc>,
    options: DistributedMapOptions<S, Sc, Item, Sel, P>,
    iterate: (start: Chain<IterationInput<Item, Sel>, IterationInput<Item, Sel>, `${Sc}>m`>) => AnyChain,
  ): Chain<Start, Placed<S, P, unknown>, Sc, Recoverable<S, StatesErrorName | (string & {})>>;

  /** Adds retriers to the last state (a Task, Parallel or Map). */
  retry(
    ...rules: Last['recoverable'] extends true ? RetryRule<Last['errors']>[] : [never]
  ): Chain<Start, S, Sc, Last>;

  /** Adds a catcher to the last state: on a matching error, `next` runs with the error at `resultPath`. */
  catch<const P extends ResultPath>(
    errors: Last['recoverable'] extends true ? readonly Last['errors'][] : never,
    options: { resultPath: P; next: Fragment<Placed<Last['input'], P, CaughtError>, Sc> },
  ): Chain<Start, S, Sc, Last>;

  /** Ends the chain with a Succeed state. */
  succeed(name: string, options?: { comment?: string }): Terminated<Start, Sc>;

  /** Ends the chain with a Fail state. */
  fail(
    name: string,
    options: {
      error: string | ((state: RefTree<S, Sc>) => Ref<string, Sc>);
      cause?: string | ((state: RefTree<S, Sc>) => Ref<string, Sc>);
      comment?: string;
    },
  ): Terminated<Start, Sc>;

  /** Continues with another fragment, which must accept this chain's state. */
  goto(next: Fragment<S, Sc>): Terminated<Start, Sc>;
}

/** The recorded graph of a chain value. */
export function chainNode(chain: AnyChain): ChainNode {
  return chain[CHAIN];
}

const EMPTY: ChainNode = Object.freeze({ states: [], terminated: false });

/** Starts a fragment whose state shape is `Start` (for Catch handlers and shared endings). */
export function fragment<Start, Sc extends Scope = 'w'>(): Chain<Start, Start, Sc> {
  return new ChainImpl(EMPTY, '$') as unknown as Chain<Start, Start, Sc>;
}

/** Starts an empty chain of state shape `Start` in scope `Sc` (used by workflows and nested scopes). */
export function startChain<Start, Sc extends Scope>(): Chain<Start, Start, Sc> {
  return fragment<Start, Sc>();
}

type Callback = (...args: never[]) => unknown;

/** The loosely typed runtime behind `Chain`; the public interface carries the precise types. */
class ChainImpl {
  readonly [CHAIN]: ChainNode;
  readonly terminated: boolean;

  constructor(
    node: ChainNode,
    private readonly root: string,
  ) {
    this[CHAIN] = node;
    this.terminated = node.terminated;
  }

  private get refs(): unknown {
    return refTree(this.root);
  }

  private add(state: StateNode, terminated = false): ChainImpl {
    const node = this[CHAIN];
    if (node.terminated) {
      throw new Error(
        `State '${state.name}': cannot follow '${node.states.at(-1)?.name}', which ends the chain`,
      );
    }
    if (state.name.length === 0) throw new Error('A state needs a non-empty name');
    const duplicate = node.states.find((s) => s.name === state.name);
    if (duplicate) throw new Error(`State '${state.name}': name already used in this chain`);
    return new ChainImpl({ states: [...node.states, state], terminated }, this.root);
  }

  private build(callback: Callback | undefined, ...extra: unknown[]): unknown {
    return callback ? (callback as (...a: unknown[]) => unknown)(this.refs, ...extra) : undefined;
  }

  lambdaStep(name: string, job: AnyJob, payload: Callback, options: TaskOptions<ResultPath> = {}) {
    requireExecutor(name, job, 'lambda');
    checkResultPath(name, options.resultPath);
    return this.add({
      kind: 'lambdaTask',
      name,
      comment: options.comment,
      job,
      payload: this.build(payload, contextRefs) as Record<string, unknown>,
      resultPath: options.resultPath,
      timeoutSeconds: options.timeoutSeconds,
      retry: [],
      catch: [],
    });
  }

  fargateStep(name: string, job: AnyJob, environment: Callback, options: FargateOptions<ResultPath> = {}) {
    requireExecutor(name, job, 'fargate');
    checkResultPath(name, options.resultPath);
    const env = this.build(environment, contextRefs) as Record<string, unknown>;
    for (const [field, value] of Object.entries(env)) {
      if (value !== null && typeof value === 'object' && !isRefLike(value)) {
        throw new Error(`State '${name}': environment field '${field}' must be a scalar or a reference`);
      }
    }
    return this.add({
      kind: 'fargateTask',
      name,
      comment: options.comment,
      job,
      environment: env,
      resultPath: options.resultPath,
      timeoutSeconds: options.timeoutSeconds,
      heartbeatSeconds: options.heartbeatSeconds,
      retry: [],
      catch: [],
    });
  }

  startWorkflowStep(
    name: string,
    workflow: AnyWorkflow,
    input: Callback,
    options: StartWorkflowOptions<unknown, Scope, ResultPath> = {},
  ) {
    checkResultPath(name, options.resultPath);
    const executionName = options.executionName;
    return this.add({
      kind: 'startWorkflow',
      name,
      comment: options.comment,
      workflowName: workflow.name,
      input: this.build(input, contextRefs) as Record<string, unknown>,
      executionName: typeof executionName === 'function' ? this.build(executionName) : executionName,
      waitForCompletion: options.waitForCompletion ?? false,
      resultPath: options.resultPath,
      timeoutSeconds: options.timeoutSeconds,
      retry: [],
      catch: [],
    });
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
    const resolve = (v: unknown) => (typeof v === 'function' ? this.build(v as Callback) : v);
    return this.add({
      kind: 'wait',
      name,
      seconds: resolve(options.seconds),
      timestamp: resolve(options.timestamp),
    });
  }

  choice(name: string, branches: Callback, otherwise?: Callback) {
    const specs = this.build(branches) as ChoiceBranch<unknown, Scope>[];
    if (specs.length === 0) throw new Error(`State '${name}': a Choice needs at least one branch`);
    return this.add({
      kind: 'choice',
      name,
      branches: specs.map((b) => ({ condition: b.condition, chain: this.nested(b.steps) })),
      otherwise: otherwise ? this.nested(otherwise) : undefined,
    });
  }

  parallel(name: string, branches: readonly Callback[], options: TaskOptions<ResultPath> = {}) {
    if (branches.length === 0) throw new Error(`State '${name}': a Parallel needs at least one branch`);
    checkResultPath(name, options.resultPath);
    return this.add({
      kind: 'parallel',
      name,
      comment: options.comment,
      branches: branches.map((b) => this.nested(b)),
      resultPath: options.resultPath,
      retry: [],
      catch: [],
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
        maxConcurrency: options.maxConcurrency,
        resultPath: options.resultPath,
        comment: options.comment,
      }),
    );
  }

  distributedMap(
    name: string,
    itemReader: Callback,
    options: DistributedMapOptions<unknown, Scope, unknown, unknown, ResultPath>,
    iterate: Callback,
  ) {
    checkResultPath(name, options.resultPath);
    const spec = this.build(itemReader) as ItemReaderSpec<unknown, Scope>;
    return this.add(
      this.mapNode(name, iterate, options.itemSelector as Callback | undefined, {
        mode: 'DISTRIBUTED',
        itemReader: spec.reader,
        maxConcurrency: options.maxConcurrency ?? 1000,
        toleratedFailurePercentage: options.toleratedFailurePercentage,
        toleratedFailureCount: options.toleratedFailureCount,
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
    settings: Omit<MapNode, 'kind' | 'name' | 'iterator' | 'itemSelector' | 'retry' | 'catch'>,
  ): MapNode {
    return {
      kind: 'map',
      name,
      ...settings,
      itemSelector: this.build(itemSelector, mapItemContextRefs()) as Record<string, unknown> | undefined,
      iterator: (iterate as (start: ChainImpl) => ChainImpl)(new ChainImpl(EMPTY, '$'))[CHAIN],
      retry: [],
      catch: [],
    };
  }

  /** A branch chain: same `$` as this chain, built by the author's callback. */
  private nested(build: Callback): ChainNode {
    return (build as (start: ChainImpl) => ChainImpl)(new ChainImpl(EMPTY, this.root))[CHAIN];
  }

  retry(...rules: RetryRule[]) {
    return this.updateLast('Retry', (last) => ({ ...last, retry: [...last.retry, ...rules] }));
  }

  catch(errors: readonly string[], options: { resultPath: ResultPath; next: AnyChain }) {
    return this.updateLast('Catch', (last) => {
      checkResultPath(last.name, options.resultPath);
      const next = chainNode(options.next);
      if (next.states.length === 0) throw new Error(`State '${last.name}': Catch leads to an empty fragment`);
      return { ...last, catch: [...last.catch, { errors, resultPath: options.resultPath, next }] };
    });
  }

  private updateLast(field: string, update: (last: Extract<StateNode, { retry: unknown }>) => StateNode) {
    const node = this[CHAIN];
    const last = node.states.at(-1);
    if (!last) throw new Error(`${field} needs a state before it`);
    if (!('retry' in last)) {
      throw new Error(
        `State '${last.name}': ${field} applies to Task, Parallel and Map states, not ${last.kind}`,
      );
    }
    return new ChainImpl({ ...node, states: [...node.states.slice(0, -1), update(last)] }, this.root);
  }

  succeed(name: string, options: { comment?: string } = {}) {
    return this.add({ kind: 'succeed', name, comment: options.comment }, true);
  }

  fail(name: string, options: { error: string | Callback; cause?: string | Callback; comment?: string }) {
    const resolve = (v: unknown) => (typeof v === 'function' ? this.build(v as Callback) : v);
    return this.add(
      {
        kind: 'fail',
        name,
        comment: options.comment,
        error: resolve(options.error),
        cause: resolve(options.cause),
      },
      true,
    );
  }

  goto(next: AnyChain) {
    const node = this[CHAIN];
    const target = chainNode(next);
    if (node.terminated)
      throw new Error(`goto cannot follow '${node.states.at(-1)?.name}', which ends the chain`);
    if (target.states.length === 0) throw new Error('goto leads to an empty fragment');
    return new ChainImpl({ ...node, goto: target, terminated: true }, this.root);
  }
}

function requireExecutor(state: string, job: AnyJob, executor: Executor): void {
  if (!job.runsOn.includes(executor)) {
    throw new Error(
      `State '${state}': job '${job.name}' cannot run on ${executor} (runsOn: ${job.runsOn.join(', ')})`,
    );
  }
}

function isRefLike(value: object): boolean {
  return Symbol.for('audience-io.ref') in value;
}
