import type { WaitNode } from '../graph.ts';
import { isRef, refExpression } from '../ref.ts';
import { type AslState, type Continuation, compact, flow } from '../render/context.ts';

/** A Wait state: `Seconds`/`SecondsPath` or `Timestamp`/`TimestampPath`. */
export function renderWait(state: WaitNode, next: Continuation): AslState {
  const seconds = isRef(state.seconds)
    ? { SecondsPath: refExpression(state.seconds) }
    : { Seconds: state.seconds };
  const timestamp = isRef(state.timestamp)
    ? { TimestampPath: refExpression(state.timestamp) }
    : { Timestamp: state.timestamp };
  return compact({ Type: 'Wait', Comment: state.comment, ...seconds, ...timestamp, ...flow(next) });
}
