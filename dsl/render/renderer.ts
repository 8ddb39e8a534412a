import { match } from 'ts-pattern';
import type { FargateBinding, LambdaBinding, ResourceBindings } from '../bindings.ts';
import type { ChainNode, RecoverableNode, StateNode } from '../graph.ts';
import type { AnyJob } from '../job.ts';
import type { RetryRule } from '../retry.ts';
import { renderChoice } from '../states/choice.ts';
import { renderFail, renderSucceed } from '../states/end.ts';
import { renderMap } from '../states/map.ts';
import { renderParallel } from '../states/parallel.ts';
import { renderPass } from '../states/pass.ts';
import { renderWait } from '../states/wait.ts';
import { renderFargateTask } from '../tasks/fargate.ts';
import { renderLambdaTask } from '../tasks/lambda.ts';
import { renderServiceTask } from '../tasks/service.ts';
import { renderStartWorkflow } from '../tasks/start-workflow.ts';
import type { ValidationIssue } from '../validation-issue.ts';
import {
  type AslScope,
  type AslState,
  type Continuation,
  compact,
  type RenderContext,
  statePath,
} from './context.ts';

/** One scope being rendered: its states so far, and the chains already in it. */
interface Scope {
  readonly states: Record<string, AslState>;
  readonly path: string;
  /** Chains already rendered in this scope. */
  readonly rendered: Set<ChainNode>;
  /** Chains rendered after the main one (catch handlers, goto targets). */
  readonly pending: ChainNode[];
}

/**
 * Renders the workflow graph to ASL, binding jobs to resources; records problems it meets as issues. Each
 * state kind renders itself (`states/`, `tasks/`); this walks the chains of each scope.
 */
export class AslRenderer {
  private readonly lambdaBindings = new Map<AnyJob, LambdaBinding>();
  private readonly fargateBindings = new Map<AnyJob, FargateBinding>();
  readonly issues: ValidationIssue[] = [];

  constructor(private readonly bindings: ResourceBindings) {}

  /** Renders a top-level chain (or a branch / iterator) with the fragments its states lead into. */
  renderScope(root: ChainNode, path: string): AslScope {
    const scope: Scope = { states: {}, path, rendered: new Set(), pending: [] };
    this.renderChain(root, 'end', scope);
    for (let chain = scope.pending.shift(); chain; chain = scope.pending.shift())
      this.renderChain(chain, 'end', scope);
    const first = root.states[0];
    if (!first)
      throw new Error(`${path || 'Workflow'}: a workflow, branch or map iteration needs at least one state`);
    return { StartAt: first.name, States: scope.states };
  }

  /** Renders a chain once per scope: a fragment shared by several catches or branches appears once. */
  private renderChain(chain: ChainNode, after: Continuation, scope: Scope): void {
    if (scope.rendered.has(chain)) return;
    scope.rendered.add(chain);
    const continuation = this.continuation(chain, after, scope);
    chain.states.forEach((state, index) => {
      const following = chain.states[index + 1];
      const next: Continuation = following ? { next: following.name } : continuation;
      // Two states of one scope under one name: the first is kept, so the rest stays checkable.
      if (state.name in scope.states) {
        this.issues.push({
          code: 'STATE_NAME_DUPLICATE',
          path: statePath(scope.path, state.name),
          message: `Two different states of this scope are named '${state.name}'; names must be unique in the whole state machine`,
        });
        return;
      }
      scope.states[state.name] = this.renderState(state, next, scope);
    });
  }

  /** Where a chain goes after its last state: its goto, the state it loops back to, or `after`. */
  private continuation(chain: ChainNode, after: Continuation, scope: Scope): Continuation {
    if (chain.goto) return { next: this.entry(chain.goto, scope) };
    if (chain.gotoState !== undefined) return { next: chain.gotoState };
    return after;
  }

  /** The first state of a chain that is rendered elsewhere in the scope (a catch handler or goto target). */
  private entry(chain: ChainNode, scope: Scope): string {
    scope.pending.push(chain);
    const first = chain.states[0];
    if (!first) {
      // An empty chain only passes the flow on.
      if (chain.gotoState !== undefined) return chain.gotoState;
      if (chain.goto) return this.entry(chain.goto, scope);
      throw new Error('A Catch or goto leads to an empty chain');
    }
    return first.name;
  }

  private renderState(state: StateNode, next: Continuation, scope: Scope): AslState {
    const ctx = this.context(scope);
    return match(state)
      .with({ kind: 'lambdaTask' }, (s) => renderLambdaTask(s, next, ctx))
      .with({ kind: 'fargateTask' }, (s) => renderFargateTask(s, next, ctx))
      .with({ kind: 'startWorkflow' }, (s) => renderStartWorkflow(s, next, ctx))
      .with({ kind: 'serviceTask' }, (s) => renderServiceTask(s, next, ctx))
      .with({ kind: 'pass' }, (s) => renderPass(s, next))
      .with({ kind: 'wait' }, (s) => renderWait(s, next))
      .with({ kind: 'choice' }, (s) => renderChoice(s, next, ctx))
      .with({ kind: 'succeed' }, (s) => renderSucceed(s))
      .with({ kind: 'fail' }, (s) => renderFail(s))
      .with({ kind: 'parallel' }, (s) => renderParallel(s, next, ctx))
      .with({ kind: 'map' }, (s) => renderMap(s, next, ctx))
      .exhaustive();
  }

  private context(scope: Scope): RenderContext {
    return {
      bindings: this.bindings,
      scopePath: scope.path,
      lambda: (job) => memo(this.lambdaBindings, job, () => this.bindings.lambda(job)),
      fargate: (job) => memo(this.fargateBindings, job, () => this.bindings.fargate(job)),
      recovery: (state) => this.recovery(state, scope),
      childScope: (chain, path) => this.renderScope(chain, path),
      branchTarget: (chain, after, choice) => this.branchTarget(chain, after, choice, scope),
    };
  }

  /** A Choice rule's target: the branch's first state, where an empty branch goes, or what follows the Choice. */
  private branchTarget(chain: ChainNode, after: Continuation, choice: string, scope: Scope): string {
    const first = chain.states[0];
    if (first) {
      this.renderChain(chain, after, scope);
      return first.name;
    }
    if (chain.goto) return this.entry(chain.goto, scope);
    if (chain.gotoState !== undefined) return chain.gotoState;
    if (after === 'end') {
      throw new Error(`State '${choice}': an empty Choice branch needs a state after the Choice to go to`);
    }
    return after.next;
  }

  private recovery(state: RecoverableNode, scope: Scope) {
    const retry = state.retry ?? [];
    const catches = state.catch ?? [];
    return {
      Retry: retry.length > 0 ? retry.map(renderRetry) : undefined,
      Catch:
        catches.length > 0
          ? catches.map((c) =>
              compact({
                ErrorEquals: [...c.errors],
                ResultPath: c.resultPath,
                Next: this.entry(c.next, scope),
              }),
            )
          : undefined,
    };
  }
}

function renderRetry(rule: RetryRule) {
  return compact({
    ErrorEquals: [...rule.errors],
    IntervalSeconds: rule.intervalSeconds,
    MaxAttempts: rule.maxAttempts,
    BackoffRate: rule.backoffRate,
    MaxDelaySeconds: rule.maxDelaySeconds,
    JitterStrategy: rule.jitter,
  });
}

function memo<K, V>(cache: Map<K, V>, key: K, make: () => V): V {
  const found = cache.get(key);
  if (found !== undefined) return found;
  const made = make();
  cache.set(key, made);
  return made;
}
