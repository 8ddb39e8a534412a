import type { Condition } from './conditions.ts';
import type { AnyJob } from './job.ts';
import type { RetryRule } from './retry.ts';

/**
 * The workflow graph the builder records: `kind`-tagged readonly nodes, one per state, in chains.
 * It holds no Pulumi or AWS values; the compiler binds resources when it renders ASL.
 */

/** A sequence of states; the last one continues into `goto` (another chain's first state) when set. */
export interface ChainNode {
  readonly states: readonly StateNode[];
  readonly goto?: ChainNode;
  /** True when the chain ends with Succeed, Fail or a goto: nothing may follow. */
  readonly terminated: boolean;
}

/** One Catch: errors, where the error goes, and the chain that handles it. */
export interface CatchNode {
  readonly errors: readonly string[];
  readonly resultPath: string | null | undefined;
  readonly next: ChainNode;
}

/** Fields shared by states that may fail and be retried/caught. */
interface Recoverable {
  readonly retry: readonly RetryRule[];
  readonly catch: readonly CatchNode[];
}

interface Base {
  readonly name: string;
  readonly comment?: string;
}

/** ResultPath as written by the author (`undefined` = ASL default `$`). */
type ResultPathField = string | null | undefined;

export interface LambdaTaskNode extends Base, Recoverable {
  readonly kind: 'lambdaTask';
  readonly job: AnyJob;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly resultPath: ResultPathField;
  readonly timeoutSeconds?: number;
}

export interface FargateTaskNode extends Base, Recoverable {
  readonly kind: 'fargateTask';
  readonly job: AnyJob;
  /** Job input fields (camelCase) → literal or reference; rendered as UPPER_SNAKE_CASE variables. */
  readonly environment: Readonly<Record<string, unknown>>;
  readonly resultPath: ResultPathField;
  readonly timeoutSeconds?: number;
  readonly heartbeatSeconds?: number;
}

/** A Task that starts an execution of another workflow (`states:startExecution`). */
export interface StartWorkflowNode extends Base, Recoverable {
  readonly kind: 'startWorkflow';
  /** Name of the workflow started; the bindings resolve it to a state machine ARN. */
  readonly workflowName: string;
  readonly input: Readonly<Record<string, unknown>>;
  /** Execution name: a literal or a reference; a second start under the same name is refused by AWS. */
  readonly executionName?: unknown;
  /** Wait for the execution to end (`.sync:2`) and take its output as the result. */
  readonly waitForCompletion: boolean;
  readonly resultPath: ResultPathField;
  readonly timeoutSeconds?: number;
}

export interface PassNode extends Base {
  readonly kind: 'pass';
  readonly result?: unknown;
  readonly parameters?: Readonly<Record<string, unknown>>;
  readonly resultPath: ResultPathField;
}

export interface WaitNode extends Base {
  readonly kind: 'wait';
  readonly seconds?: unknown;
  readonly timestamp?: unknown;
}

export interface ChoiceNode extends Base {
  readonly kind: 'choice';
  readonly branches: readonly { readonly condition: Condition; readonly chain: ChainNode }[];
  /** Taken when no branch matches; when absent, the flow goes on after the choice. */
  readonly otherwise?: ChainNode;
}

export interface SucceedNode extends Base {
  readonly kind: 'succeed';
}

export interface FailNode extends Base {
  readonly kind: 'fail';
  readonly error?: unknown;
  readonly cause?: unknown;
}

export interface ParallelNode extends Base, Recoverable {
  readonly kind: 'parallel';
  readonly branches: readonly ChainNode[];
  readonly resultPath: ResultPathField;
}

/** Where a distributed map reads its items. */
export interface ItemReaderNode {
  readonly bucket: unknown;
  readonly key: unknown;
  readonly inputType: 'CSV' | 'JSON' | 'JSONL';
  /** CSV only: take the header from the first row. */
  readonly csvHeaderFromFirstRow?: boolean;
  readonly maxItems?: number;
}

export interface MapNode extends Base, Recoverable {
  readonly kind: 'map';
  readonly mode: 'INLINE' | 'DISTRIBUTED';
  readonly itemsPath?: string;
  readonly itemReader?: ItemReaderNode;
  readonly itemSelector?: Readonly<Record<string, unknown>>;
  readonly iterator: ChainNode;
  readonly maxConcurrency?: number;
  readonly toleratedFailurePercentage?: number;
  readonly toleratedFailureCount?: number;
  readonly executionType?: 'STANDARD' | 'EXPRESS';
  readonly label?: string;
  readonly resultPath: ResultPathField;
}

export type StateNode =
  | LambdaTaskNode
  | FargateTaskNode
  | StartWorkflowNode
  | PassNode
  | WaitNode
  | ChoiceNode
  | SucceedNode
  | FailNode
  | ParallelNode
  | MapNode;

/** States that accept Retry and Catch. */
export type RecoverableNode = LambdaTaskNode | FargateTaskNode | StartWorkflowNode | ParallelNode | MapNode;

export function isRecoverable(node: StateNode): node is RecoverableNode {
  return (
    node.kind === 'lambdaTask' ||
    node.kind === 'startWorkflow' ||
    node.kind === 'fargateTask' ||
    node.kind === 'parallel' ||
    node.kind === 'map'
  );
}

/** Calls `visit` for every chain reachable from `root` (gotos, catches, choice branches, parallel branches, map iterators), once each. */
export function forEachChain(root: ChainNode, visit: (chain: ChainNode) => void): void {
  const seen = new Set<ChainNode>();
  const walk = (chain: ChainNode): void => {
    if (seen.has(chain)) return;
    seen.add(chain);
    visit(chain);
    if (chain.goto) walk(chain.goto);
    for (const state of chain.states) for (const child of childChains(state)) walk(child);
  };
  walk(root);
}

/** The chains a state leads into directly. */
export function childChains(state: StateNode): ChainNode[] {
  const chains: ChainNode[] = [];
  if (isRecoverable(state)) chains.push(...state.catch.map((c) => c.next));
  if (state.kind === 'choice') {
    chains.push(...state.branches.map((b) => b.chain));
    if (state.otherwise) chains.push(state.otherwise);
  }
  if (state.kind === 'parallel') chains.push(...state.branches);
  if (state.kind === 'map') chains.push(state.iterator);
  return chains;
}
