import { TASK_TOKEN_PATH } from '../context.ts';
import type { LambdaTaskNode } from '../graph.ts';
import type { AnyJob, JobOutput } from '../job.ts';
import { renderPayload } from '../payload.ts';
import type { ResultPath } from '../placement.ts';
import { ref } from '../ref.ts';
import { type AslState, type Continuation, compact, type RenderContext, taskEnd } from '../render/context.ts';
import { type IntegrationOptions, TASK_TOKEN_FIELD } from './task-options.ts';

/** How a Lambda step waits: for the function's response, or for the job's callback with the task token. */
export type LambdaPattern = 'requestResponse' | 'waitForTaskToken';

/** Options of a Lambda step. */
export type LambdaOptions<P extends ResultPath, I extends LambdaPattern> = IntegrationOptions<P, I>;

/**
 * What a Lambda step produces: the invoke response reduced by its ResultSelector to `{ Payload }`, the job's
 * output (ASL cannot unwrap it further: a ResultSelector yields an object).
 */
export type LambdaResult<J extends AnyJob> = LambdaResponse<JobOutput<J>>;

/** The invoke response reduced to the function's result (so two jobs with the same output give the same type). */
export interface LambdaResponse<Output> {
  readonly Payload: Output;
}

/** A Lambda step's result: `{ Payload }`, or for a callback step the output the job runtime sends back. */
export type LambdaStepResult<J extends AnyJob, I extends LambdaPattern> = [I] extends ['waitForTaskToken']
  ? JobOutput<J>
  : LambdaResult<J>;

/** Checks a job step's options and builds its node; the payload is built by the caller. */
export function lambdaTaskNode(
  name: string,
  job: AnyJob,
  payload: Record<string, unknown>,
  options: LambdaOptions<ResultPath, LambdaPattern>,
): LambdaTaskNode {
  const pattern = options.integration ?? 'requestResponse';
  if (pattern === 'waitForTaskToken') rejectTokenField(name, job);
  return {
    kind: 'lambdaTask',
    name,
    comment: options.comment,
    job,
    // A callback step hands the job runtime its token, which sends the job's output (or error) back with it.
    payload:
      pattern === 'waitForTaskToken' ? { ...payload, [TASK_TOKEN_FIELD]: ref(TASK_TOKEN_PATH) } : payload,
    pattern,
    resultPath: options.resultPath,
    timeoutSeconds: options.timeoutSeconds,
    heartbeatSeconds: options.heartbeatSeconds,
  };
}

/** A job whose input has a field named like the token's would lose it: refused at once. */
export function rejectTokenField(state: string, job: AnyJob, field = TASK_TOKEN_FIELD): void {
  if (field in job.input.shape) {
    throw new Error(
      `State '${state}': job '${job.name}' has an input field '${field}', which a callback step uses for its task token`,
    );
  }
}

/** `arn:aws:states:::lambda:invoke[.waitForTaskToken]` with the function bound to the job. */
export function renderLambdaTask(state: LambdaTaskNode, next: Continuation, ctx: RenderContext): AslState {
  const binding = ctx.lambda(state.job);
  const callback = state.pattern === 'waitForTaskToken';
  return compact({
    Type: 'Task',
    Comment: state.comment,
    Resource: `arn:aws:states:::lambda:invoke${callback ? '.waitForTaskToken' : ''}`,
    Parameters: {
      FunctionName: binding.functionArn,
      Payload: renderPayload(state.payload, state.name),
    },
    ...taskEnd(state, next, ctx, resultSelector(state, callback)),
  });
}

/** The author's ResultSelector; else, since the invoke response wraps the function's result, one keeping only it. */
function resultSelector(state: LambdaTaskNode, callback: boolean): unknown {
  if (state.resultSelector) return renderPayload(state.resultSelector, state.name);
  return state.resultPath === null || callback ? undefined : { 'Payload.$': '$.Payload' };
}
