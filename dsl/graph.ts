import type { Condition } from './conditions.ts';
import type { IamStatement, PermissionScope } from './iam-statement.ts';
import type { AnyJob } from './job.ts';
import type { RetryRule } from './retry.ts';

/**
 * The workflow graph the builder records: `kind`-tagged readonly nodes, one per state, in chains.
 * It holds no Pulumi or AWS values of its own; the compiler binds jobs to resources when it renders ASL.
 */

/** A sequence of states and where the flow goes after the last one. */
export interface ChainNode {
  readonly states: readonly StateNode[];
  /** The last state continues into another chain's first state. */
  readonly goto?: ChainNode;
  /** The last state continues at an earlier state of the same scope, by name (a loop). */
  readonly gotoState?: string;
  /** True when the chain ends with Succeed, Fail or a goto: nothing may follow. */
  readonly terminated: boolean;
  /** Its tasks take the workflow's default Catch (the definition's own chains, not fragments or handlers). */
  readonly takesDefaultCatch: boolean;
}

/** One Catch: errors, where the error goes, and the chain that handles it. */
export interface CatchNode {
  readonly errors: readonly string[];
  readonly resultPath: string | null | undefined;
  readonly next: ChainNode;
}

/** Fields shared by states that may fail and be retried/caught; `undefined` until the author sets them. */
interface Recoverable {
  readonly retry?: readonly RetryRule[];
  readonly catch?: readonly CatchNode[];
}

interface Base {
  readonly name: string;
  readonly comment?: string;
}

/** ResultPath as written by the author (`undefined` = ASL default `$`). */
type ResultPathField = string | null | undefined;

/** Fields of every Task state. */
interface TaskBase extends Base, Recoverable {
  readonly resultPath: ResultPathField;
  /** Builds the result from the raw one (`$` is the raw result), when the author asked for it. */
  readonly resultSelector?: Readonly<Record<string, unknown>>;
  readonly timeoutSeconds?: number;
  readonly heartbeatSeconds?: number;
}

/** How a task waits: for the call's response, for the job to finish (`.sync`), or for a callback with the task token. */
export type IntegrationPattern = 'requestResponse' | 'sync' | 'waitForTaskToken';

export interface LambdaTaskNode extends TaskBase {
  readonly kind: 'lambdaTask';
  readonly job: AnyJob;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly pattern: 'requestResponse' | 'waitForTaskToken';
}

export interface FargateTaskNode extends TaskBase {
  readonly kind: 'fargateTask';
  readonly job: AnyJob;
  /** Job input fields (camelCase) → literal or reference; rendered as UPPER_SNAKE_CASE variables. */
  readonly environment: Readonly<Record<string, unknown>>;
  readonly pattern: 'sync' | 'waitForTaskToken';
  /** Run the task again when ECS stopped it for another reason than the job's own refusal (exit code 2). */
  readonly retryStoppedTask?: { readonly maxAttempts: number };
}

/** A Task that starts an execution of another workflow (`states:startExecution`). */
export interface StartWorkflowNode extends TaskBase {
  readonly kind: 'startWorkflow';
  /** Name of the workflow started; the bindings resolve it to a state machine ARN. */
  readonly workflowName: string;
  /** The workflow started (a `Workflow`; typed loosely here, since the graph is what workflows are made of). */
  readonly workflow: { readonly kind: 'workflow'; readonly name: string };
  readonly input: Readonly<Record<string, unknown>>;
  /** Execution name: a literal or a reference; a second start under the same name is refused by AWS. */
  readonly executionName?: unknown;
  /** Wait for the execution to end (`.sync:2`) and take its output as the result. */
  readonly waitForCompletion: boolean;
}

/** A Task calling an AWS service integration (SNS, SQS, DynamoDB, S3, EventBridge, or any `aws-sdk:*` action). */
export interface ServiceTaskNode extends TaskBase {
  readonly kind: 'serviceTask';
  /** `service:action`, e.g. `sns:publish`, `aws-sdk:s3:getObject`: the resource ARN without its pattern suffix. */
  readonly integration: string;
  readonly pattern: IntegrationPattern;
  readonly parameters: Readonly<Record<string, unknown>>;
  /** The least-privilege statements of the call, in the state machine's partition, region and account. */
  readonly permissions: (scope: PermissionScope) => readonly IamStatement[];
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
  readonly resultSelector?: Readonly<Record<string, unknown>>;
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

/** How a distributed map groups items into one child execution's input (`{ Items: [...], BatchInput }`). */
export interface ItemBatcherNode {
  readonly maxItemsPerBatch?: number;
  readonly maxInputBytesPerBatch?: number;
  readonly batchInput?: Readonly<Record<string, unknown>>;
}

/** Where a distributed map writes its results (a manifest and result files under a prefix). */
export interface ResultWriterNode {
  readonly bucket: unknown;
  readonly prefix: unknown;
}

export interface MapNode extends Base, Recoverable {
  readonly kind: 'map';
  readonly mode: 'INLINE' | 'DISTRIBUTED';
  readonly itemsPath?: string;
  readonly itemReader?: ItemReaderNode;
  readonly itemSelector?: Readonly<Record<string, unknown>>;
  readonly itemBatcher?: ItemBatcherNode;
  readonly resultWriter?: ResultWriterNode;
  readonly resultSelector?: Readonly<Record<string, unknown>>;
  readonly iterator: ChainNode;
  /** A number, or a reference to one in the state (rendered as `…Path`). */
  readonly maxConcurrency?: unknown;
  readonly toleratedFailurePercentage?: unknown;
  readonly toleratedFailureCount?: unknown;
  readonly executionType?: 'STANDARD' | 'EXPRESS';
  readonly label?: string;
  readonly resultPath: ResultPathField;
}

export type TaskNode = LambdaTaskNode | FargateTaskNode | StartWorkflowNode | ServiceTaskNode;

export type StateNode =
  | TaskNode
  | PassNode
  | WaitNode
  | ChoiceNode
  | SucceedNode
  | FailNode
  | ParallelNode
  | MapNode;

/** States that accept Retry and Catch. */
export type RecoverableNode = TaskNode | ParallelNode | MapNode;

const TASK_KINDS: ReadonlySet<string> = new Set([
  'lambdaTask',
  'fargateTask',
  'startWorkflow',
  'serviceTask',
]);

/** True for Task states. */
export function isTask(node: StateNode): node is TaskNode {
  return TASK_KINDS.has(node.kind);
}

/** True for states that take Retry and Catch. */
export function isRecoverable(node: StateNode): node is RecoverableNode {
  return isTask(node) || node.kind === 'parallel' || node.kind === 'map';
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
  if (isRecoverable(state)) chains.push(...(state.catch ?? []).map((c) => c.next));
  if (state.kind === 'choice') {
    chains.push(...state.branches.map((b) => b.chain));
    if (state.otherwise) chains.push(state.otherwise);
  }
  if (state.kind === 'parallel') chains.push(...state.branches);
  if (state.kind === 'map') chains.push(state.iterator);
  return chains;
}
