import type { StartWorkflowNode } from '../graph.ts';
import { renderPayload } from '../payload.ts';
import type { ResultPath } from '../placement.ts';
import type { Ref, RefTree, Scope } from '../ref.ts';
import { type AslState, type Continuation, compact, type RenderContext, taskEnd } from '../render/context.ts';
import type { TaskOptions } from './task-options.ts';

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

/** The node of a step that starts `workflow`; input and execution name are built by the caller. */
export function startWorkflowNode(
  name: string,
  workflow: { readonly kind: 'workflow'; readonly name: string },
  input: Record<string, unknown>,
  executionName: unknown,
  options: StartWorkflowOptions<unknown, Scope, ResultPath>,
): StartWorkflowNode {
  return {
    kind: 'startWorkflow',
    name,
    comment: options.comment,
    workflowName: workflow.name,
    workflow,
    input,
    executionName,
    waitForCompletion: options.waitForCompletion ?? false,
    resultPath: options.resultPath,
    timeoutSeconds: options.timeoutSeconds,
    heartbeatSeconds: options.heartbeatSeconds,
  };
}

/** `arn:aws:states:::states:startExecution[.sync:2]` of the bound state machine. */
export function renderStartWorkflow(
  state: StartWorkflowNode,
  next: Continuation,
  ctx: RenderContext,
): AslState {
  const stateMachineArn = ctx.bindings.stateMachineArn?.(state.workflowName);
  if (stateMachineArn === undefined) {
    throw new Error(
      `State '${state.name}': starting workflow '${state.workflowName}' needs bindings.stateMachineArn`,
    );
  }
  return compact({
    Type: 'Task',
    Comment: state.comment,
    Resource: `arn:aws:states:::states:startExecution${state.waitForCompletion ? '.sync:2' : ''}`,
    Parameters: renderPayload(
      { StateMachineArn: stateMachineArn, Name: state.executionName, Input: state.input },
      state.name,
    ),
    ...taskEnd(state, next, ctx),
  });
}
