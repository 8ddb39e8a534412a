import type { ParallelNode } from '../graph.ts';
import { renderPayload } from '../payload.ts';
import type { ResultPath } from '../placement.ts';
import {
  type AslState,
  type Continuation,
  compact,
  flow,
  type RenderContext,
  statePath,
} from '../render/context.ts';

/** Options of a Parallel state (its result can be reshaped with `selectResult`). */
export interface ParallelOptions<P extends ResultPath> {
  readonly resultPath?: P;
  readonly comment?: string;
}

/** A Parallel state: every branch a scope of its own. */
export function renderParallel(state: ParallelNode, next: Continuation, ctx: RenderContext): AslState {
  return compact({
    Type: 'Parallel',
    Comment: state.comment,
    Branches: state.branches.map((branch, i) =>
      ctx.childScope(branch, `${statePath(ctx.scopePath, state.name)}.Branches[${i}]`),
    ),
    ResultSelector: state.resultSelector ? renderPayload(state.resultSelector, state.name) : undefined,
    ResultPath: state.resultPath,
    ...ctx.recovery(state),
    ...flow(next),
  });
}
