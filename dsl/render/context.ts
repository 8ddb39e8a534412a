import type { FargateBinding, LambdaBinding, ResourceBindings } from '../bindings.ts';
import type { ChainNode, RecoverableNode, TaskNode } from '../graph.ts';
import type { AnyJob } from '../job.ts';
import { renderPayload } from '../payload.ts';

/** An ASL state machine (or a branch / item processor): JSON whose leaves may be Pulumi Inputs. */
export interface AslScope {
  StartAt: string;
  States: Record<string, AslState>;
}

/** One rendered ASL state. */
export type AslState = Record<string, unknown> & { Type: string };

/** Where the flow goes after a state: a state name, or the end of the scope. */
export type Continuation = { readonly next: string } | 'end';

/** What a state's renderer may ask of the compiler while it renders one state of one scope. */
export interface RenderContext {
  readonly bindings: ResourceBindings;
  /** The path of the scope the state is in (`''` at the top level), for issues and child scopes. */
  readonly scopePath: string;
  /** The resources a Lambda job is bound to (asked once per job). */
  lambda(job: AnyJob): LambdaBinding;
  /** The resources a Fargate job is bound to (asked once per job). */
  fargate(job: AnyJob): FargateBinding;
  /** `Retry` and `Catch` of a recoverable state; catch handlers are rendered into this scope. */
  recovery(state: RecoverableNode): { Retry?: unknown[]; Catch?: unknown[] };
  /** A child scope (a Parallel branch, a Map's item processor) rendered as a state machine of its own. */
  childScope(chain: ChainNode, path: string): AslScope;
  /** The state a Choice rule leads to for a branch chain, rendered into this scope; `after` is what follows the Choice. */
  branchTarget(chain: ChainNode, after: Continuation, choice: string): string;
}

/** `Next` or `End: true`. */
export function flow(next: Continuation): { Next?: string; End?: true } {
  return next === 'end' ? { End: true } : { Next: next.next };
}

/**
 * The fields every Task state ends with: its result selector (the author's, unless `resultSelector` is given),
 * result placement, timeouts, Retry and Catch, and where the flow goes.
 */
export function taskEnd(
  state: TaskNode,
  next: Continuation,
  ctx: RenderContext,
  resultSelector: unknown = state.resultSelector
    ? renderPayload(state.resultSelector, state.name)
    : undefined,
): Record<string, unknown> {
  return {
    ResultSelector: resultSelector,
    ResultPath: state.resultPath,
    TimeoutSeconds: state.timeoutSeconds,
    HeartbeatSeconds: state.heartbeatSeconds,
    ...ctx.recovery(state),
    ...flow(next),
  };
}

/** Drops `undefined` fields so they never reach the JSON. */
export function compact<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

/** The path of a state in issues: `States.A`, `States.P.Branches[0].States.B`. */
export function statePath(scopePath: string, name: string): string {
  return `${scopePath ? `${scopePath}.` : ''}States.${name}`;
}
