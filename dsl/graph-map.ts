import type { ChainNode, StateNode } from './graph.ts';

/**
 * A copy of the graph under `root` where every state is replaced by `map(state, chain)`, children first; a chain
 * reached twice (a shared fragment) is mapped once, so sharing survives. `map` may return states whose new child
 * chains are mapped too (through the `mapChain` it is given).
 */
export function mapGraph(
  root: ChainNode,
  map: (state: StateNode, chain: ChainNode, mapChain: (chain: ChainNode) => ChainNode) => StateNode,
): ChainNode {
  const mapped = new Map<ChainNode, ChainNode>();
  const mapChain = (chain: ChainNode): ChainNode => {
    let result = mapped.get(chain);
    if (!result) {
      result = {
        ...chain,
        states: chain.states.map((state) => map(mapChildren(state, mapChain), chain, mapChain)),
        ...(chain.goto ? { goto: mapChain(chain.goto) } : {}),
      };
      mapped.set(chain, result);
    }
    return result;
  };
  return mapChain(root);
}

/** A state with its child chains mapped. */
function mapChildren(state: StateNode, map: (chain: ChainNode) => ChainNode): StateNode {
  const catches =
    'catch' in state && state.catch ? { catch: state.catch.map((c) => ({ ...c, next: map(c.next) })) } : {};
  switch (state.kind) {
    case 'choice':
      return {
        ...state,
        branches: state.branches.map((b) => ({ ...b, chain: map(b.chain) })),
        ...(state.otherwise ? { otherwise: map(state.otherwise) } : {}),
      };
    case 'parallel':
      return { ...state, ...catches, branches: state.branches.map(map) };
    case 'map':
      return { ...state, ...catches, iterator: map(state.iterator) };
    default:
      return { ...state, ...catches };
  }
}
