import type { FailNode, SucceedNode } from '../graph.ts';
import { isRef, refExpression } from '../ref.ts';
import { type AslState, compact } from '../render/context.ts';

/** A Succeed state. */
export function renderSucceed(state: SucceedNode): AslState {
  return compact({ Type: 'Succeed', Comment: state.comment });
}

/** A Fail state: literal `Error`/`Cause`, or `ErrorPath`/`CausePath` from the state. */
export function renderFail(state: FailNode): AslState {
  return compact({
    Type: 'Fail',
    Comment: state.comment,
    ...(isRef(state.error) ? { ErrorPath: refExpression(state.error) } : { Error: state.error }),
    ...(isRef(state.cause) ? { CausePath: refExpression(state.cause) } : { Cause: state.cause }),
  });
}
