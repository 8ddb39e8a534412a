import { match } from 'ts-pattern';
import type { FargateBinding, LambdaBinding, ResourceBindings } from './bindings.ts';
import type {
  CatchNode,
  ChainNode,
  FailNode,
  FargateTaskNode,
  LambdaTaskNode,
  MapNode,
  ParallelNode,
  PassNode,
  StartWorkflowNode,
  StateNode,
  WaitNode,
} from './graph.ts';
import type { AnyJob } from './job.ts';
import { envVarName } from './job.ts';
import { renderPayload } from './payload.ts';
import { isRef, refExpression } from './ref.ts';
import type { RetryRule } from './retry.ts';
import type { ValidationIssue } from './validation-issue.ts';
import { isTextField } from './zod-field.ts';

/** An ASL state machine (or a branch / item processor): JSON whose leaves may be Pulumi Inputs. */
export interface AslScope {
  StartAt: string;
  States: Record<string, AslState>;
}

/** One rendered ASL state. */
export type AslState = Record<string, unknown> & { Type: string };

/** Where the flow goes after the last state of a chain: a state name, or the end of the scope. */
type Continuation = { readonly next: string } | 'end';

/** Renders the workflow graph to ASL, binding jobs to resources; records problems it meets as issues. */
export class AslRenderer {
  private readonly names = new Map<string, string>();
  private readonly lambdaBindings = new Map<AnyJob, LambdaBinding>();
  private readonly fargateBindings = new Map<AnyJob, FargateBinding>();
  readonly issues: ValidationIssue[] = [];

  constructor(private readonly bindings: ResourceBindings) {}

  /** Renders a top-level chain (or a branch / iterator) with the fragments its states lead into. */
  renderScope(root: ChainNode, path: string): AslScope {
    const states: Record<string, AslState> = {};
    const pending: ChainNode[] = [];
    const scope: RenderScope = {
      states,
      path,
      rendered: new Set(),
      schedule: (chain) => pending.push(chain),
    };
    this.renderChain(root, 'end', scope);
    for (let chain = pending.shift(); chain; chain = pending.shift()) this.renderChain(chain, 'end', scope);
    const first = root.states[0];
    if (!first)
      throw new Error(`${path || 'Workflow'}: a workflow, branch or map iteration needs at least one state`);
    return { StartAt: first.name, States: states };
  }

  /** Renders a chain once per scope: a fragment shared by several catches or branches appears once. */
  private renderChain(chain: ChainNode, after: Continuation, scope: RenderScope): void {
    if (scope.rendered.has(chain)) return;
    scope.rendered.add(chain);
    const continuation: Continuation = chain.goto ? { next: this.entry(chain.goto, scope) } : after;
    chain.states.forEach((state, index) => {
      const following = chain.states[index + 1];
      const next: Continuation = following ? { next: following.name } : continuation;
      // A duplicate is reported; within one scope the first state of that name is kept, so the rest stays checkable.
      const unique = this.claimName(state.name, scope.path);
      if (unique || !(state.name in scope.states))
        scope.states[state.name] = this.renderState(state, next, scope);
    });
  }

  /** The first state of a chain that is rendered elsewhere in the scope (a catch handler or goto target). */
  private entry(chain: ChainNode, scope: RenderScope): string {
    scope.schedule(chain);
    const first = chain.states[0];
    if (!first) throw new Error('A Catch or goto leads to an empty chain');
    return first.name;
  }

  /** Records a state name; false (and an issue) when the name is already used in the state machine. */
  private claimName(name: string, scopePath: string): boolean {
    const path = statePath(scopePath, name);
    const previous = this.names.get(name);
    if (previous !== undefined) {
      this.issues.push({
        code: 'STATE_NAME_DUPLICATE',
        path,
        message: `State name '${name}' is used twice (also at ${previous}); names must be unique in the whole state machine`,
      });
      return false;
    }
    this.names.set(name, path);
    return true;
  }

  private renderState(state: StateNode, next: Continuation, scope: RenderScope): AslState {
    return match(state)
      .with({ kind: 'lambdaTask' }, (s) => this.lambdaTask(s, next, scope))
      .with({ kind: 'fargateTask' }, (s) => this.fargateTask(s, next, scope))
      .with({ kind: 'startWorkflow' }, (s) => this.startWorkflow(s, next, scope))
      .with({ kind: 'pass' }, (s) => pass(s, next))
      .with({ kind: 'wait' }, (s) => wait(s, next))
      .with({ kind: 'choice' }, (s) => this.choice(s, next, scope))
      .with({ kind: 'succeed' }, (s) => compact({ Type: 'Succeed', Comment: s.comment }))
      .with({ kind: 'fail' }, (s) => fail(s))
      .with({ kind: 'parallel' }, (s) => this.parallel(s, next, scope))
      .with({ kind: 'map' }, (s) => this.map(s, next, scope))
      .exhaustive();
  }

  private lambdaTask(state: LambdaTaskNode, next: Continuation, scope: RenderScope): AslState {
    const binding = memo(this.lambdaBindings, state.job, () => this.bindings.lambda(state.job));
    return compact({
      Type: 'Task',
      Comment: state.comment,
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: binding.functionArn, Payload: renderPayload(state.payload) },
      // The invoke response wraps the function's result; keep only the result unless it is discarded.
      ResultSelector: state.resultPath === null ? undefined : { 'Payload.$': '$.Payload' },
      ResultPath: state.resultPath,
      TimeoutSeconds: state.timeoutSeconds,
      ...this.recovery(state.retry, state.catch, scope),
      ...flow(next),
    });
  }

  private fargateTask(state: FargateTaskNode, next: Continuation, scope: RenderScope): AslState {
    const binding = memo(this.fargateBindings, state.job, () => this.bindings.fargate(state.job));
    const placement = binding.capacityProviderStrategy
      ? {
          CapacityProviderStrategy: binding.capacityProviderStrategy.map((p) =>
            compact({ CapacityProvider: p.capacityProvider, Weight: p.weight, Base: p.base }),
          ),
        }
      : { LaunchType: 'FARGATE' };
    return compact({
      Type: 'Task',
      Comment: state.comment,
      Resource: 'arn:aws:states:::ecs:runTask.sync',
      Parameters: {
        ...placement,
        Cluster: binding.cluster,
        TaskDefinition: binding.taskDefinition,
        Overrides: {
          ContainerOverrides: [
            compact({
              Name: binding.containerName,
              Environment: environment(state.job, state.environment),
              Command: binding.command ? [...binding.command] : undefined,
            }),
          ],
        },
        NetworkConfiguration: {
          AwsvpcConfiguration: {
            Subnets: [...binding.subnets],
            SecurityGroups: [...binding.securityGroups],
            AssignPublicIp: binding.assignPublicIp ? 'ENABLED' : 'DISABLED',
          },
        },
      },
      ResultPath: state.resultPath,
      TimeoutSeconds: state.timeoutSeconds,
      HeartbeatSeconds: state.heartbeatSeconds,
      ...this.recovery(state.retry, state.catch, scope),
      ...flow(next),
    });
  }

  private startWorkflow(state: StartWorkflowNode, next: Continuation, scope: RenderScope): AslState {
    const stateMachineArn = this.bindings.stateMachineArn?.(state.workflowName);
    if (stateMachineArn === undefined) {
      throw new Error(
        `State '${state.name}': starting workflow '${state.workflowName}' needs bindings.stateMachineArn`,
      );
    }
    return compact({
      Type: 'Task',
      Comment: state.comment,
      Resource: `arn:aws:states:::states:startExecution${state.waitForCompletion ? '.sync:2' : ''}`,
      Parameters: renderPayload({
        StateMachineArn: stateMachineArn,
        Name: state.executionName,
        Input: state.input,
      }),
      ResultPath: state.resultPath,
      TimeoutSeconds: state.timeoutSeconds,
      ...this.recovery(state.retry, state.catch, scope),
      ...flow(next),
    });
  }

  private choice(
    state: Extract<StateNode, { kind: 'choice' }>,
    next: Continuation,
    scope: RenderScope,
  ): AslState {
    const target = (chain: ChainNode): string => {
      const first = chain.states[0];
      if (first) {
        this.renderChain(chain, next, scope);
        return first.name;
      }
      // A branch that only goes to a fragment: the rule leads straight to it.
      if (chain.goto) return this.entry(chain.goto, scope);
      if (next === 'end') {
        throw new Error(
          `State '${state.name}': an empty Choice branch needs a state after the Choice to go to`,
        );
      }
      return next.next;
    };
    const choices = state.branches.map((b) => ({ ...b.condition.rule, Next: target(b.chain) }));
    const fallback = state.otherwise ? target(state.otherwise) : next === 'end' ? undefined : next.next;
    return compact({ Type: 'Choice', Comment: state.comment, Choices: choices, Default: fallback });
  }

  private parallel(state: ParallelNode, next: Continuation, scope: RenderScope): AslState {
    return compact({
      Type: 'Parallel',
      Comment: state.comment,
      Branches: state.branches.map((branch, i) =>
        this.renderScope(branch, `${statePath(scope.path, state.name)}.Branches[${i}]`),
      ),
      ResultPath: state.resultPath,
      ...this.recovery(state.retry, state.catch, scope),
      ...flow(next),
    });
  }

  private map(state: MapNode, next: Continuation, scope: RenderScope): AslState {
    const processor = this.renderScope(state.iterator, `${statePath(scope.path, state.name)}.ItemProcessor`);
    const reader = state.itemReader;
    return compact({
      Type: 'Map',
      Comment: state.comment,
      ItemsPath: state.itemsPath,
      ItemReader: reader
        ? {
            Resource: 'arn:aws:states:::s3:getObject',
            ReaderConfig: compact({
              InputType: reader.inputType,
              CSVHeaderLocation: reader.inputType === 'CSV' ? 'FIRST_ROW' : undefined,
              MaxItems: reader.maxItems,
            }),
            Parameters: renderPayload({ Bucket: reader.bucket, Key: reader.key }),
          }
        : undefined,
      ItemSelector: state.itemSelector ? renderPayload(state.itemSelector) : undefined,
      ItemProcessor: {
        ProcessorConfig: compact({ Mode: state.mode, ExecutionType: state.executionType }),
        ...processor,
      },
      MaxConcurrency: state.maxConcurrency,
      ToleratedFailurePercentage: state.toleratedFailurePercentage,
      ToleratedFailureCount: state.toleratedFailureCount,
      Label: state.label,
      ResultPath: state.resultPath,
      ...this.recovery(state.retry, state.catch, scope),
      ...flow(next),
    });
  }

  private recovery(retry: readonly RetryRule[], catches: readonly CatchNode[], scope: RenderScope) {
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

interface RenderScope {
  readonly states: Record<string, AslState>;
  readonly path: string;
  /** Chains already rendered in this scope. */
  readonly rendered: Set<ChainNode>;
  readonly schedule: (chain: ChainNode) => void;
}

/** The path of a state in issues: `States.A`, `States.P.Branches[0].States.B`. */
export function statePath(scopePath: string, name: string): string {
  return `${scopePath ? `${scopePath}.` : ''}States.${name}`;
}

function flow(next: Continuation): { Next?: string; End?: true } {
  return next === 'end' ? { End: true } : { Next: next.next };
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

function pass(state: PassNode, next: Continuation): AslState {
  return compact({
    Type: 'Pass',
    Comment: state.comment,
    Result: state.result,
    Parameters: state.parameters ? renderPayload(state.parameters) : undefined,
    ResultPath: state.resultPath,
    ...flow(next),
  });
}

function wait(state: WaitNode, next: Continuation): AslState {
  const seconds = isRef(state.seconds)
    ? { SecondsPath: refExpression(state.seconds) }
    : { Seconds: state.seconds };
  const timestamp = isRef(state.timestamp)
    ? { TimestampPath: refExpression(state.timestamp) }
    : { Timestamp: state.timestamp };
  return compact({ Type: 'Wait', Comment: state.comment, ...seconds, ...timestamp, ...flow(next) });
}

function fail(state: FailNode): AslState {
  return compact({
    Type: 'Fail',
    Comment: state.comment,
    ...(isRef(state.error) ? { ErrorPath: refExpression(state.error) } : { Error: state.error }),
    ...(isRef(state.cause) ? { CausePath: refExpression(state.cause) } : { Cause: state.cause }),
  });
}

/** ECS environment entries; references to non-string fields are converted with States.JsonToString. */
function environment(job: AnyJob, values: Readonly<Record<string, unknown>>) {
  const entries: Record<string, unknown>[] = [];
  for (const [field, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const name = envVarName(field);
    if (isRef(value)) {
      const path = refExpression(value);
      entries.push({
        Name: name,
        'Value.$': isTextField(job.input.shape[field]) ? path : `States.JsonToString(${path})`,
      });
    } else {
      entries.push({ Name: name, Value: String(value) });
    }
  }
  return entries;
}

function memo<K, V>(cache: Map<K, V>, key: K, make: () => V): V {
  const found = cache.get(key);
  if (found !== undefined) return found;
  const made = make();
  cache.set(key, made);
  return made;
}

/** Drops `undefined` fields so they never reach the JSON. */
export function compact<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}
