import type { AnyWorkflow } from '../../dsl/index.ts';
import { namedError } from './named-error.ts';

/** The request a `states:startExecution` Task state makes. */
interface StartExecutionRequest {
  readonly StateMachineArn?: unknown;
  readonly Name?: unknown;
  readonly Input?: unknown;
}

/** How a child execution ended, as far as the parent state needs to know. */
export interface ChildOutcome {
  readonly arn: string;
  readonly status: string;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly startedAt: number;
  readonly stoppedAt: number;
}

/**
 * The local stand-in of `arn:aws:states:::states:startExecution` (and `.sync:2`): finds the workflow deployed
 * under `StateMachineArn` and runs it with this runner under the requested name, so a taken name fails with
 * `StepFunctions.ExecutionAlreadyExistsException` as on AWS. Unlike AWS, the parent waits for the child to end
 * even without `.sync`, so one local run shows the whole chain.
 */
export function startExecutionTask(
  stateName: string,
  sync: boolean,
  workflowsByArn: ReadonlyMap<string, AnyWorkflow>,
  start: (workflow: AnyWorkflow, input: unknown, name: string | undefined) => Promise<ChildOutcome>,
): (parameters: unknown) => Promise<unknown> {
  return async (parameters) => {
    const request = (parameters ?? {}) as StartExecutionRequest;
    const arn = String(request.StateMachineArn);
    const workflow = workflowsByArn.get(arn);
    if (!workflow) {
      throw namedError(
        'StepFunctions.StateMachineDoesNotExistException',
        `State ${stateName}: no workflow is deployed as ${arn} (known: ${[...workflowsByArn.keys()].join(', ')})`,
      );
    }
    const name = request.Name === undefined ? undefined : String(request.Name);
    const child = await start(workflow, request.Input ?? {}, name);
    if (!sync) return { ExecutionArn: child.arn, StartDate: new Date(child.startedAt).toISOString() };
    if (child.status !== 'SUCCEEDED') {
      throw namedError(
        'States.TaskFailed',
        `Execution ${child.arn} ${child.status}: ${child.error}: ${child.cause}`,
      );
    }
    return {
      ExecutionArn: child.arn,
      StateMachineArn: arn,
      Status: child.status,
      Output: JSON.stringify(child.output),
      StartDate: new Date(child.startedAt).toISOString(),
      StopDate: new Date(child.stoppedAt).toISOString(),
    };
  };
}
