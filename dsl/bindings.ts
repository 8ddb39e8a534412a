import type { Input } from '@pulumi/pulumi';
import type { AnyJob } from './job.ts';

/** Where a Lambda job runs. */
export interface LambdaBinding {
  /** Function name or ARN. */
  readonly functionArn: Input<string>;
}

/** Where a Fargate job runs. */
export interface FargateBinding {
  /** Cluster ARN. */
  readonly cluster: Input<string>;
  /** Task definition ARN. */
  readonly taskDefinition: Input<string>;
  /** Name of the container whose environment and command are overridden. */
  readonly containerName: string;
  /** Command of the container (the job's entry point and name). @default the task definition's */
  readonly command?: readonly string[];
  readonly subnets: readonly Input<string>[];
  readonly securityGroups: readonly Input<string>[];
  /** Give the task a public IP (needed in public subnets without a NAT gateway). @default false */
  readonly assignPublicIp?: boolean;
  /** Capacity providers (FARGATE, FARGATE_SPOT, an EC2 provider); when absent, `LaunchType: FARGATE`. */
  readonly capacityProviderStrategy?: readonly {
    readonly capacityProvider: Input<string>;
    readonly weight?: number;
    readonly base?: number;
  }[];
  /** Roles the state machine must be allowed to pass to ECS. */
  readonly taskRoleArn: Input<string>;
  readonly executionRoleArn: Input<string>;
}

/**
 * Resolves each job to the resources that run it. Values may be Pulumi `Input`s; with plain strings,
 * compiling needs no Pulumi engine.
 */
export interface ResourceBindings {
  lambda(job: AnyJob): LambdaBinding;
  fargate(job: AnyJob): FargateBinding;
  /** The state machine's own ARN, needed only by workflows with a distributed map (child executions). */
  stateMachineArn?(workflowName: string): Input<string>;
}

/** Fixed account and region of placeholder ARNs (synth output, snapshots, local runs). */
export const PLACEHOLDER_ACCOUNT = '123456789012';
export const PLACEHOLDER_REGION = 'us-east-1';

/** Bindings with placeholder ARNs of one fixed account and region, named after each job. */
export function placeholderBindings(
  options: {
    account?: string;
    region?: string;
    /** The container command of a Fargate job. @default none (the task definition's) */
    command?: (job: AnyJob) => readonly string[];
  } = {},
): ResourceBindings & { stateMachineArn(workflowName: string): string } {
  const { account = PLACEHOLDER_ACCOUNT, region = PLACEHOLDER_REGION, command } = options;
  return {
    lambda: (job) => ({
      functionArn: `arn:aws:lambda:${region}:${account}:function:audience-io-${job.name}`,
    }),
    fargate: (job) => ({
      cluster: `arn:aws:ecs:${region}:${account}:cluster/audience-io`,
      taskDefinition: `arn:aws:ecs:${region}:${account}:task-definition/audience-io-${job.name}:1`,
      containerName: 'job',
      command: command?.(job),
      subnets: ['subnet-00000000000000001', 'subnet-00000000000000002'],
      securityGroups: ['sg-00000000000000001'],
      taskRoleArn: `arn:aws:iam::${account}:role/audience-io-${job.name}-task`,
      executionRoleArn: `arn:aws:iam::${account}:role/audience-io-${job.name}-execution`,
    }),
    stateMachineArn: (workflowName) =>
      `arn:aws:states:${region}:${account}:stateMachine:audience-io-${workflowName}`,
  };
}

const derivations = new WeakMap<object, Map<string, Input<string>>>();

/**
 * Derives a string from a string or a Pulumi Input/Output/Promise of one (duck-typed, so the DSL does not load
 * Pulumi). The same derivation (`name`) of the same Output gives the same Output, so identical resources
 * derived for two steps are recognised as one.
 */
export function deriveInput(
  value: Input<string>,
  name: string,
  derive: (text: string) => string,
): Input<string> {
  if (typeof value === 'string') return derive(value);
  let byName = derivations.get(value);
  if (!byName) {
    byName = new Map();
    derivations.set(value, byName);
  }
  let derived = byName.get(name);
  if (derived === undefined) {
    derived =
      typeof (value as { apply?: unknown }).apply === 'function'
        ? (value as unknown as { apply(f: (t: string) => string): Input<string> }).apply(derive)
        : Promise.resolve(value as Promise<string>).then(derive);
    byName.set(name, derived);
  }
  return derived;
}
