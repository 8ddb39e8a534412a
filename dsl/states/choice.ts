import type { ChoiceNode } from '../graph.ts';
import { type AslState, type Continuation, compact, type RenderContext } from '../render/context.ts';

/**
 * A Choice state. Each branch leads to its chain's first state (or straight to where the chain goes); with no
 * `otherwise`, the default is the state after the Choice, and a Choice that ends its scope has none, so no
 * match fails with States.NoChoiceMatched, as on AWS.
 */
export function renderChoice(state: ChoiceNode, next: Continuation, ctx: RenderContext): AslState {
  const choices = state.branches.map((b) => ({
    ...b.condition.rule,
    Next: ctx.branchTarget(b.chain, next, state.name),
  }));
  const fallback = state.otherwise
    ? ctx.branchTarget(state.otherwise, next, state.name)
    : next === 'end'
      ? undefined
      : next.next;
  return compact({ Type: 'Choice', Comment: state.comment, Choices: choices, Default: fallback });
}
