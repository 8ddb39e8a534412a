import type { CaughtError } from '../errors.ts';
import type { ChainNode } from '../graph.ts';
import type { Placed, ResultPath } from '../placement.ts';
import type { Ref, Scope } from '../ref.ts';

/** Runtime key of the recorded graph on every chain value. */
export const CHAIN = Symbol.for('audience-io.chain');

declare const START: unique symbol;
declare const OUTPUT: unique symbol;
declare const ERRORS: unique symbol;

/** What the last state added to a chain accepts: Retry, Catch and a result selector only where `recoverable`. */
export interface LastState {
  readonly recoverable: boolean;
  /** The state's input, which a Catch extends with the error. */
  readonly input: unknown;
  /** Error names a Retry/Catch on it may match. */
  readonly errors: string;
  /** The state's raw result, which a result selector reads. */
  readonly raw: unknown;
  /** Where the state places its result. */
  readonly resultPath: ResultPath;
}

/** No state yet, or one that takes no Retry/Catch. */
export interface NotRecoverable extends LastState {
  readonly recoverable: false;
  readonly input: never;
  readonly errors: never;
  readonly raw: never;
  readonly resultPath: never;
}

/** A Task, Parallel or Map state with input `In` that may fail with `E`, producing `Raw` placed at `P`. */
export interface Recoverable<In, E extends string, Raw = unknown, P extends ResultPath = '$'>
  extends LastState {
  readonly recoverable: true;
  readonly input: In;
  readonly errors: E;
  readonly raw: Raw;
  readonly resultPath: P;
}

/**
 * A piece of workflow that starts with state shape `Start`, valid in scope `Sc`, whose states may fail with
 * `E` (any error, when not known). Catches and gotos lead into fragments; a fragment accepts any state that has
 * at least the fields it needs.
 */
export interface Fragment<in Start, Sc extends Scope, out E extends string = string> {
  readonly [CHAIN]: ChainNode;
  readonly [START]?: (input: Start) => void;
  readonly [OUTPUT]?: Sc;
  readonly [ERRORS]?: E;
}

/** A chain that ended (Succeed, Fail, goto): nothing can follow it. */
export interface Terminated<in Start, Sc extends Scope, out E extends string = string>
  extends Fragment<Start, Sc, E> {
  readonly terminated: true;
}

/** Any chain or terminated chain in scope `Sc`. */
// biome-ignore lint/suspicious/noExplicitAny: a chain of any start/state shape
export type AnyChain<Sc extends Scope = any> = Fragment<any, Sc, string>;

/** The error names the states of a chain may raise. */
// biome-ignore lint/suspicious/noExplicitAny: extracting a type argument
export type ChainErrors<C> = C extends Fragment<any, any, infer E> ? E : never;

/**
 * What a chain knows besides its state shape: the states of its scope it may loop back to (name → the state
 * shape they were written for), the errors its states may raise, and what the workflow's default Catch asks of
 * every task.
 */
export interface ChainMeta {
  readonly labels: object;
  readonly errors: string;
  readonly defaultCatch: DefaultCatchNeed | undefined;
}

/** The default Catch of a workflow: where it places the error, and what its handler needs. */
export interface DefaultCatchNeed {
  readonly resultPath: ResultPath;
  readonly needs: unknown;
}

/** A chain with nothing behind it: no labels, no errors, no default Catch. */
export interface FreshMeta extends ChainMeta {
  readonly labels: {};
  readonly errors: never;
  readonly defaultCatch: undefined;
}

/** The meta after a state named `N`, entered with state `S`, that may raise `E`. */
export type WithState<M extends ChainMeta, N extends string, S, E extends string = never> = {
  readonly labels: M['labels'] & { readonly [K in N]: S };
  readonly errors: M['errors'] | E;
  readonly defaultCatch: M['defaultCatch'];
};

/** The meta of a catch handler: the same labels, and no default Catch (it would catch into itself). */
export type HandlerMeta<M extends ChainMeta> = {
  readonly labels: M['labels'];
  readonly errors: never;
  readonly defaultCatch: undefined;
};

/** The meta of a Choice branch: the scope's labels, the choice itself among them. */
export type BranchMeta<M extends ChainMeta, N extends string, S> = {
  readonly labels: M['labels'] & { readonly [K in N]: S };
  readonly errors: never;
  readonly defaultCatch: M['defaultCatch'];
};

/**
 * A task's name, accepted when the workflow's default Catch can handle the state the task runs with;
 * otherwise a readable error at the name.
 */
export type TaskName<N extends string, S, M extends ChainMeta> = N &
  (M['defaultCatch'] extends { resultPath: infer P extends ResultPath; needs: infer X }
    ? [Placed<S, P, CaughtError>] extends [X]
      ? unknown
      : { readonly error: `the workflow's default Catch needs fields that the state entering '${N}' lacks` }
    : unknown);

/** A loop target: an earlier state of the scope whose state shape the arriving state satisfies. */
export type LoopTarget<T extends string, S, L> = T &
  (T extends keyof L
    ? [S] extends [L[T]]
      ? unknown
      : { readonly error: `the state arriving at '${T}' lacks fields that '${T}' needs` }
    : unknown);

/** The value a template of literals and references stands for at run time. */
export type Resolved<T> =
  T extends Ref<infer V, Scope>
    ? V
    : T extends readonly unknown[]
      ? { -readonly [I in keyof T]: Resolved<T[I]> }
      : T extends object
        ? { -readonly [K in keyof T]: Resolved<T[K]> }
        : T;

/** The state inside a map iteration: the item, or the value the item selector builds. */
export type IterationInput<Item, Sel> = [Sel] extends [undefined] ? Item : Resolved<Sel>;
