import type { PassNode } from '../graph.ts';
import { renderPayload } from '../payload.ts';
import type { ResultPath } from '../placement.ts';
import { type AslState, type Continuation, compact, flow } from '../render/context.ts';

/** Options of a Pass state. */
export interface PassOptions<P extends ResultPath> {
  readonly resultPath?: P;
  readonly comment?: string;
}

/** A Pass state: a fixed `Result`, or `Parameters` built from references. */
export function renderPass(state: PassNode, next: Continuation): AslState {
  return compact({
    Type: 'Pass',
    Comment: state.comment,
    Result: state.result,
    Parameters: state.parameters ? renderPayload(state.parameters, state.name) : undefined,
    ResultPath: state.resultPath,
    ...flow(next),
  });
}
