import type { Condition } from '../conditions.ts';
import type { ContextRefs, StepContextRefs } from '../context.ts';
import type {
  CaughtError,
  EcsErrorName,
  LambdaErrorName,
  StatesErrorName,
  StepFunctionsErrorName,
} from '../errors.ts';
import type { IntegrationPattern } from '../graph.ts';
import type { AnyJob, Executor, JobErrorName, JobInput } from '../job.ts';
import type { NoExcess, PayloadOf, PayloadTemplate } from '../payload.ts';
import type { Placed, ResultPath } from '../placement.ts';
import type { Ref, RefTree, Scope } from '../ref.ts';
import type { RetryRule } from '../retry.ts';
import type {
  DistributedIterationInput,
  DistributedMapOptions,
  ItemSource,
  MapOptions,
  MapRunResult,
  ResultWriterOptions,
} from '../states/map.ts';
import type { ParallelOptions } from '../states/parallel.ts';
import type { PassOptions } from '../states/pass.ts';
import type { FargateOptions, FargatePattern, FargateStepResult } from '../tasks/fargate.ts';
import type { LambdaOptions, LambdaPattern, LambdaStepResult } from '../tasks/lambda.ts';
import type { ServiceIntegration, ServiceStepOptions, ServiceStepResult } from '../tasks/service.ts';
import type { StartedExecution, StartWorkflowOptions } from '../tasks/start-workflow.ts';
import type { AnyWorkflow, WorkflowInputOf } from '../workflow-declaration.ts';
import type {
  AnyChain,
  BranchMeta,
  ChainErrors,
  ChainMeta,
  Fragment,
  FreshMeta,
  HandlerMeta,
  IterationInput,
  LastState,
  LoopTarget,
  NotRecoverable,
  Recoverable,
  Resolved,
  TaskName,
  Terminated,
  WithState,
} from './types.ts';

/** The state shape at the end of a chain (`unknown` for a terminated one). */
// biome-ignore lint/suspicious/noExplicitAny: extracting a type argument
export type ChainOutput<C> = C extends Chain<any, infer S, any, any, any> ? S : unknown;

/** Jobs that may run on executor `E`. */
type RunnableOn<J extends AnyJob, E extends Executor> = E extends J['runsOn'][number]
  ? J
  : J & { readonly [K in `job '${J['name']}' cannot run on ${E}`]: never };

/** One branch of a Choice: when `condition` holds, run `steps`, which may loop back to a state of the scope. */
export interface ChoiceBranch<S, Sc extends Scope, M extends ChainMeta> {
  readonly condition: Condition<Sc>;
  readonly steps: (start: Chain<S, S, Sc, NotRecoverable, M>) => AnyChain<Sc>;
}

/** A Catch handler: a fragment, or steps written in place, which may loop back to a state of the scope. */
export type CatchHandler<In, Sc extends Scope, M extends ChainMeta> =
  | Fragment<In, Sc>
  | ((handler: Chain<In, In, Sc, NotRecoverable, HandlerMeta<M>>) => AnyChain<Sc>);

/** The chain after a state named `N`, entered with `S`, leaving `S2`, that may raise `E`. */
type Next<
  Start,
  S,
  Sc extends Scope,
  M extends ChainMeta,
  N extends string,
  S2,
  Last extends LastState,
  E extends string = never,
> = Chain<Start, S2, Sc, Last, WithState<M, N, S, E>>;

/** The state a chain that does not end hands on (`never` for one that ends: nothing follows it). */
type Continuing<C> = C extends { readonly terminated: true } ? never : ChainOutput<C>;

/**
 * The state after a Choice: what the branches that do not end hand on, and the Choice's input when no branch
 * matched and there is no `otherwise` (or what `otherwise` hands on).
 */
type AfterChoice<S, Branches, O> = Continuing<Branches> | ([O] extends [never] ? S : Continuing<O>);

/** The result of a distributed map: the iterations' outputs, or where the ResultWriter put them. */
type DistributedResult<W, Out> = [W] extends [undefined] ? Out[] : MapRunResult;

/**
 * The fluent, immutable workflow builder. `Start` is the shape the chain begins with, `S` the state shape at
 * its end, `Sc` the scope of `$`, `Last` what the last state accepts (Retry/Catch/selectResult) and `M` what
 * the chain knows besides (its states to loop back to, its errors, the workflow's default Catch).
 */
export interface Chain<
  Start,
  S,
  Sc extends Scope,
  Last extends LastState = NotRecoverable,
  M extends ChainMeta = FreshMeta,
> extends Fragment<Start, Sc, M['errors']> {
  /**
   * A Lambda task (`arn:aws:states:::lambda:invoke`). The payload is checked against the job's input type, extra
   * keys included. With `integration: 'waitForTaskToken'` the job runtime sends the job's output back as the result.
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
   */
  lambdaStep<
    const N extends string,
    J extends AnyJob,
    const Payload extends PayloadOf<JobInput<J>, Sc>,
    const P extends ResultPath = '$',
    const I extends LambdaPattern = 'requestResponse',
  >(
    name: TaskName<N, S, M>,
    job: RunnableOn<J, 'lambda'>,
    payload: (state: RefTree<S, Sc>, ctx: StepContextRefs<I>) => NoExcess<Payload, JobInput<J>>,
    options?: LambdaOptions<P, I>,
  ): Next<
    Start,
    S,
    Sc,
    M,
    N,
    Placed<S, P, LambdaStepResult<J, I>>,
    Recoverable<S, StatesErrorName | LambdaErrorName | JobErrorName<J>, LambdaStepResult<J, I>, P>,
    LambdaErrorName | JobErrorName<J>
  >;

  /**
   * An ECS Fargate task (`arn:aws:states:::ecs:runTask.sync`). Each environment entry is checked against the
   * job's input type and becomes the UPPER_SNAKE_CASE variable the job's entry point reads. With
   * `integration: 'waitForTaskToken'` the job runtime heartbeats and sends the job's output (or error) back.
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-ecs.html
   */
  fargateStep<
    const N extends string,
    J extends AnyJob,
    const Env extends PayloadOf<JobInput<J>, Sc>,
    const P extends ResultPath = '$',
    const I extends FargatePattern = 'sync',
  >(
    name: TaskName<N, S, M>,
    job: RunnableOn<J, 'fargate'>,
    environment: (state: RefTree<S, Sc>, ctx: StepContextRefs<I>) => NoExcess<Env, JobInput<J>>,
    options?: FargateOptions<P, I>,
  ): Next<
    Start,
    S,
    Sc,
    M,
    N,
    Placed<S, P, FargateStepResult<J, I>>,
    Recoverable<S, StatesErrorName | EcsErrorName | JobErrorName<J>, FargateStepResult<J, I>, P>,
    EcsErrorName | JobErrorName<J>
  >;

  /**
   * Starts an execution of another workflow (`arn:aws:states:::states:startExecution`); its input is checked
   * against that workflow's input type. With `waitForCompletion`, waits for it (`.sync:2`) and takes its output.
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-stepfunctions.html
   */
  startWorkflowStep<
    const N extends string,
    W extends AnyWorkflow,
    const Input extends PayloadOf<WorkflowInputOf<W>, Sc>,
    const P extends ResultPath = '$',
  >(
    name: TaskName<N, S, M>,
    workflow: W,
    input: (state: RefTree<S, Sc>, ctx: ContextRefs) => NoExcess<Input, WorkflowInputOf<W>>,
    options?: StartWorkflowOptions<S, Sc, P>,
  ): Next<
    Start,
    S,
    Sc,
    M,
    N,
    Placed<S, P, StartedExecution>,
    Recoverable<S, StatesErrorName | StepFunctionsErrorName, StartedExecution, P>,
    StepFunctionsErrorName
  >;

  /**
   * A call of an AWS service: `build` returns an integration (`snsPublish`, `sqsSendMessage`, `dynamodbGetItem`,
   * `s3GetObject`, `eventBridgePutEvents`, `awsSdkStep`, …) whose request is typed from the AWS SDK and whose
   * IAM is derived from the resources it names. With `integration: 'waitForTaskToken'` (SNS, SQS, EventBridge),
   * `ctx.task.token` is in scope and the result is what the callback sends (typed by `output`).
   */
  serviceStep<
    const N extends string,
    R,
    E extends string,
    const P extends ResultPath = '$',
    const I extends IntegrationPattern = 'requestResponse',
    CallbackOutput = unknown,
  >(
    name: TaskName<N, S, M>,
    build: (state: RefTree<S, Sc>, ctx: StepContextRefs<I>) => ServiceIntegration<R, E, I, Sc>,
    options?: ServiceStepOptions<P, I, CallbackOutput>,
  ): Next<
    Start,
    S,
    Sc,
    M,
    N,
    Placed<S, P, ServiceStepResult<R, I, CallbackOutput>>,
    Recoverable<S, StatesErrorName | E, ServiceStepResult<R, I, CallbackOutput>, P>,
    E
  >;

  /** A Pass state that places a fixed result, or a payload built from references. */
  pass<const N extends string, const R, const P extends ResultPath = '$'>(
    name: N,
    options: ({ result: R } | { parameters: (state: RefTree<S, Sc>, ctx: ContextRefs) => R }) &
      PassOptions<P>,
  ): Next<Start, S, Sc, M, N, Placed<S, P, Resolved<R>>, NotRecoverable>;

  /** A Wait state: a number of seconds or until a timestamp. */
  wait<const N extends string>(
    name: N,
    options:
      | { seconds: number | ((state: RefTree<S, Sc>) => Ref<number, Sc>) }
      | { timestamp: string | ((state: RefTree<S, Sc>) => Ref<string, Sc>) },
  ): Next<Start, S, Sc, M, N, S, NotRecoverable>;

  /**
   * A Choice state. Branches that do not end go on with the state after the choice; so does the flow when
   * no branch matches and there is no `otherwise`. A branch may loop back to any earlier state of the scope
   * (`goto('Name')`), the Choice itself included. A Choice that is the last state has nothing to go on to:
   * without `otherwise`, no match fails the execution with States.NoChoiceMatched, as on AWS.
   */
  choice<
    const N extends string,
    const B extends readonly ChoiceBranch<S, Sc, BranchMeta<M, N, S>>[],
    O extends AnyChain<Sc> = never,
  >(
    name: N,
    branches: (state: RefTree<S, Sc>) => B,
    otherwise?: (start: Chain<S, S, Sc, NotRecoverable, BranchMeta<M, N, S>>) => O,
  ): Next<
    Start,
    S,
    Sc,
    M,
    N,
    AfterChoice<S, ReturnType<B[number]['steps']>, O>,
    NotRecoverable,
    ChainErrors<ReturnType<B[number]['steps']>> | ChainErrors<O>
  >;

  /** A Parallel state; its result is the array of the branches' outputs (typed per branch). */
  parallel<
    const N extends string,
    const B extends readonly ((start: Chain<S, S, Sc>) => AnyChain<Sc>)[],
    const P extends ResultPath = '$',
  >(
    name: N,
    branches: B,
    options?: ParallelOptions<P>,
  ): Next<
    Start,
    S,
    Sc,
    M,
    N,
    Placed<S, P, { -readonly [I in keyof B]: ChainOutput<ReturnType<B[I]>> }>,
    Recoverable<
      S,
      StatesErrorName | ChainErrors<ReturnType<B[number]>>,
      { -readonly [I in keyof B]: ChainOutput<ReturnType<B[I]>> },
      P
    >,
    ChainErrors<ReturnType<B[number]>>
  >;

  /**
   * An inline Map state over an array of the state. Inside, `$` is the item, or what `itemSelector` builds
   * from the item (`ctx.map.item`) and the map's input.
   */
  map<
    const N extends string,
    Item,
    const Sel extends PayloadTemplate | undefined = undefined,
    const P extends ResultPath = '$',
    C extends AnyChain = AnyChain,
  >(
    name: N,
    items: (state: RefTree<S, Sc>) => Ref<readonly Item[], Sc>,
    options: MapOptions<S, Sc, Item, Sel, P>,
    iterate: (start: Chain<IterationInput<Item, Sel>, IterationInput<Item, Sel>, `${Sc}>m`>) => C,
  ): Next<
    Start,
    S,
    Sc,
    M,
    N,
    Placed<S, P, ChainOutput<C>[]>,
    Recoverable<S, StatesErrorName | ChainErrors<C>, ChainOutput<C>[], P>,
    ChainErrors<C>
  >;

  /**
   * A distributed Map state: each item (or batch of items, `itemBatcher`) runs as a child execution. Items come
   * from the state or from S3 (`s3CsvItems`, `s3JsonItems`); with `resultWriter` the results go to S3.
   */
  distributedMap<
    const N extends string,
    Item,
    const Sel extends PayloadTemplate | undefined = undefined,
    const B extends PayloadTemplate = never,
    const W extends ResultWriterOptions<Sc> | undefined = undefined,
    const P extends ResultPath = '$',
    C extends AnyChain = AnyChain,
  >(
    name: N,
    items: (state: RefTree<S, Sc>) => ItemSource<Item, Sc>,
    options: DistributedMapOptions<S, Sc, Item, Sel, B, W, P>,
    iterate: (
      start: Chain<
        DistributedIterationInput<IterationInput<Item, Sel>, Resolved<B>>,
        DistributedIterationInput<IterationInput<Item, Sel>, Resolved<B>>,
        `${Sc}>m`
      >,
    ) => C,
  ): Next<
    Start,
    S,
    Sc,
    M,
    N,
    Placed<S, P, DistributedResult<W, ChainOutput<C>>>,
    Recoverable<S, StatesErrorName | ChainErrors<C>, DistributedResult<W, ChainOutput<C>>, P>,
    ChainErrors<C>
  >;

  /** Adds retriers to the last state (a Task, Parallel or Map); `retry()` with none turns the workflow's default off. */
  retry(
    ...rules: Last['recoverable'] extends true ? RetryRule<Last['errors']>[] : [never]
  ): Chain<Start, S, Sc, Last, M>;

  /**
   * Adds a catcher to the last state: on a matching error, `next` runs with the error at `resultPath`; `next` is
   * a fragment or steps written in place, which may loop back to a state of the scope (the failed one included).
   */
  catch<const P extends ResultPath>(
    errors: Last['recoverable'] extends true ? readonly Last['errors'][] : never,
    options: { resultPath: P; next: CatchHandler<Placed<Last['input'], P, CaughtError>, Sc, M> },
  ): Chain<Start, S, Sc, Last, M>;

  /**
   * Builds the last state's result from its raw one (ResultSelector; `$` is the raw result, not the state):
   * e.g. one field of a job's output, or a summary of a Parallel's branches.
   */
  selectResult<const R>(
    build: (result: RefTree<Last['raw'], `${Sc}>r`>, ctx: ContextRefs) => R,
  ): Last['recoverable'] extends true
    ? Chain<Start, Placed<Last['input'], Last['resultPath'], Resolved<R>>, Sc, Last, M>
    : never;

  /** Ends the chain with a Succeed state. */
  succeed(name: string, options?: { comment?: string }): Terminated<Start, Sc, M['errors']>;

  /** Ends the chain with a Fail state; its error is one a Parallel or Map around it may fail with. */
  fail<const E extends string = string>(
    name: string,
    options: {
      error: E | ((state: RefTree<S, Sc>) => Ref<string, Sc>);
      cause?: string | ((state: RefTree<S, Sc>) => Ref<string, Sc>);
      comment?: string;
    },
  ): Terminated<Start, Sc, M['errors'] | E>;

  /**
   * Continues with another fragment, which must accept this chain's state; or loops back to an earlier state of
   * the scope, by name, when the arriving state has what that state was written for (its state shape then).
   */
  goto<const T extends keyof M['labels'] & string = never>(
    next: Fragment<S, Sc> | LoopTarget<T, S, M['labels']>,
  ): Terminated<Start, Sc, M['errors']>;
}
