import { TASK_TOKEN_PATH } from '../context.ts';
import type { FargateTaskNode } from '../graph.ts';
import { type AnyJob, envVarName, type JobOutput } from '../job.ts';
import type { ResultPath } from '../placement.ts';
import { isRef, ref, refExpression } from '../ref.ts';
import { type AslState, type Continuation, compact, type RenderContext, taskEnd } from '../render/context.ts';
import { isTextField } from '../zod-field.ts';
import { rejectTokenField } from './lambda.ts';
import { type IntegrationOptions, TASK_TOKEN_ENV } from './task-options.ts';

/** How a Fargate step waits: until the task stops (`.sync`), or for the job's callback with the task token. */
export type FargatePattern = 'sync' | 'waitForTaskToken';

/** Options of a Fargate step. */
export interface FargateOptions<P extends ResultPath, I extends FargatePattern>
  extends IntegrationOptions<P, I> {
  /**
   * Runs the task again (`.sync` only) when ECS stopped it for any other reason than the job refusing its input
   * (exit code 2): a Spot interruption, a host failure or maintenance, a task killed. Up to `maxAttempts` runs
   * more; then, or for exit code 2, the error goes on to the step's other catchers. The job must be safe to run
   * again (the import and export resume from their checkpoints). Adds states named after the step.
   */
  readonly retryStoppedTask?: { readonly maxAttempts: number };
}

/** What an `ecs:runTask.sync` step produces: the ECS task description (DescribeTasks, in PascalCase). */
export interface EcsTaskResult {
  readonly TaskArn: string;
  readonly LastStatus: string;
  readonly StopCode?: string;
  readonly StoppedReason?: string;
  readonly Containers: readonly { readonly Name: string; readonly ExitCode?: number }[];
}

/** A Fargate step's result: the stopped task, or for a callback step the output the job runtime sends back. */
export type FargateStepResult<J extends AnyJob, I extends FargatePattern> = [I] extends ['waitForTaskToken']
  ? JobOutput<J>
  : EcsTaskResult;

/** Checks a Fargate step's environment and options and builds its node. */
export function fargateTaskNode(
  name: string,
  job: AnyJob,
  environment: Record<string, unknown>,
  options: FargateOptions<ResultPath, FargatePattern>,
): FargateTaskNode {
  for (const [field, value] of Object.entries(environment)) {
    if (value !== null && typeof value === 'object' && !isRef(value)) {
      throw new Error(`State '${name}': environment field '${field}' must be a scalar or a reference`);
    }
  }
  const pattern = options.integration ?? 'sync';
  if (pattern === 'waitForTaskToken') rejectTokenField(name, job, 'taskToken');
  const retry = options.retryStoppedTask;
  if (retry && (pattern !== 'sync' || !Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1)) {
    throw new Error(
      `State '${name}': retryStoppedTask needs the .sync pattern and a maxAttempts of at least 1`,
    );
  }
  return {
    kind: 'fargateTask',
    name,
    comment: options.comment,
    job,
    environment,
    pattern,
    resultPath: options.resultPath,
    timeoutSeconds: options.timeoutSeconds,
    heartbeatSeconds: options.heartbeatSeconds,
    ...(retry ? { retryStoppedTask: { maxAttempts: retry.maxAttempts } } : {}),
  };
}

/** `arn:aws:states:::ecs:runTask(.sync|.waitForTaskToken)` of the job's task definition, its input as environment. */
export function renderFargateTask(state: FargateTaskNode, next: Continuation, ctx: RenderContext): AslState {
  const binding = ctx.fargate(state.job);
  const placement = binding.capacityProviderStrategy
    ? {
        CapacityProviderStrategy: binding.capacityProviderStrategy.map((p) =>
          compact({ CapacityProvider: p.capacityProvider, Weight: p.weight, Base: p.base }),
        ),
      }
    : { LaunchType: 'FARGATE' };
  const callback = state.pattern === 'waitForTaskToken';
  const variables = environment(state.job, state.environment);
  // A callback step hands the job runtime its token, which sends the job's output (or error) back with it.
  if (callback) variables.push({ Name: TASK_TOKEN_ENV, 'Value.$': refExpression(ref(TASK_TOKEN_PATH)) });
  return compact({
    Type: 'Task',
    Comment: state.comment,
    Resource: `arn:aws:states:::ecs:runTask.${state.pattern}`,
    Parameters: {
      ...placement,
      Cluster: binding.cluster,
      TaskDefinition: binding.taskDefinition,
      Overrides: {
        ContainerOverrides: [
          compact({
            Name: binding.containerName,
            Environment: variables,
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
    ...taskEnd(state, next, ctx),
  });
}

/** ECS environment entries; references to non-string fields are converted with States.JsonToString. */
function environment(job: AnyJob, values: Readonly<Record<string, unknown>>): Record<string, unknown>[] {
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
