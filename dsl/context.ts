import { type Ref, type RefTree, ref, refTree, type Scope } from './ref.ts';

/**
 * The context object (`$$`) as typed references. Valid in every scope, so their scope is `never`.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
 */
export interface ContextRefs {
  readonly execution: {
    /** `$$.Execution.Id`: the execution ARN. */
    readonly id: Ref<string>;
    /** `$$.Execution.Name`. */
    readonly name: Ref<string>;
    /** `$$.Execution.StartTime` (ISO 8601). */
    readonly startTime: Ref<string>;
    /** `$$.Execution.RoleArn`. */
    readonly roleArn: Ref<string>;
  };
  readonly state: {
    /** `$$.State.Name`. */
    readonly name: Ref<string>;
    /** `$$.State.EnteredTime` (ISO 8601). */
    readonly enteredTime: Ref<string>;
    /** `$$.State.RetryCount`. */
    readonly retryCount: Ref<number>;
  };
  readonly stateMachine: {
    /** `$$.StateMachine.Id`: the state machine ARN. */
    readonly id: Ref<string>;
    /** `$$.StateMachine.Name`. */
    readonly name: Ref<string>;
  };
}

/** Context references of a step that waits for a callback (`.waitForTaskToken`), where `$$.Task.Token` exists. */
export interface TaskTokenContextRefs extends ContextRefs {
  readonly task: {
    /** `$$.Task.Token`: whoever completes the step calls SendTaskSuccess/Failure (and SendTaskHeartbeat) with it. */
    readonly token: Ref<string>;
  };
}

/** The context references of a step with integration pattern `I`: `ctx.task.token` only for a callback step. */
export type StepContextRefs<I> = [I] extends ['waitForTaskToken'] ? TaskTokenContextRefs : ContextRefs;

/** Context references available only in a Map state's item selector, where `$$.Map.Item` exists. */
export interface MapItemContextRefs<Item, Sc extends Scope> extends ContextRefs {
  readonly map: {
    readonly item: {
      /** `$$.Map.Item.Index`. */
      readonly index: Ref<number, Sc>;
      /** `$$.Map.Item.Value`, typed as the map's item. */
      readonly value: RefTree<Item, Sc>;
    };
  };
}

/** The context-object references. */
export const contextRefs: ContextRefs = Object.freeze({
  execution: {
    id: ref<string>('$$.Execution.Id'),
    name: ref<string>('$$.Execution.Name'),
    startTime: ref<string>('$$.Execution.StartTime'),
    roleArn: ref<string>('$$.Execution.RoleArn'),
  },
  state: {
    name: ref<string>('$$.State.Name'),
    enteredTime: ref<string>('$$.State.EnteredTime'),
    retryCount: ref<number>('$$.State.RetryCount'),
  },
  stateMachine: {
    id: ref<string>('$$.StateMachine.Id'),
    name: ref<string>('$$.StateMachine.Name'),
  },
});

/** The JSONPath of the task token; the local runner hands each callback step its own token through it. */
export const TASK_TOKEN_PATH = '$$.Task.Token';

/** The context references of a callback step. */
export const taskTokenContextRefs: TaskTokenContextRefs = Object.freeze({
  ...contextRefs,
  task: { token: ref<string>(TASK_TOKEN_PATH) },
});

/** Context references for a map's item selector. */
export function mapItemContextRefs<Item, Sc extends Scope>(): MapItemContextRefs<Item, Sc> {
  return {
    ...contextRefs,
    map: {
      item: { index: ref<number, Sc>('$$.Map.Item.Index'), value: refTree<Item, Sc>('$$.Map.Item.Value') },
    },
  };
}
