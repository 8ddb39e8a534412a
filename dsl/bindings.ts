import type { Input } from '@pulumi/pulumi';
import type { AnyJob } from './job.ts';
import type { PlatformResourceKind } from './resources.ts';

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
  /**
   * A workflow's state machine ARN: needed to start it (`startWorkflowStep`), by a distributed map (child
   * executions), and by service steps (their resources live in the state machine's partition, region, account).
   */
  stateMachineArn?(workflowName: string): Input<string>;
  /** What a named platform resource resolves to: a topic ARN, a queue URL, a table, bucket or bus name. */
  platformResource?(kind: PlatformResourceKind, name: string): Input<string>;
}

/** Fixed account and region of placeholder ARNs (synth output, snapshots, local runs). */
export const PLACEHOLDER_ACCOUNT = '123456789012';
export const PLACEHOLDER_REGION = 'us-east-1';

/** Bindings whose every value is a plain string (no Pulumi Outputs). */
export interface PlaceholderBindings extends ResourceBindings {
  stateMachineArn(workflowName: string): string;
  platformResource(kind: PlatformResourceKind, name: string): string;
}

/** Bindings with placeholder ARNs of one fixed account and region, named after each job. */
export function placeholderBindings(
  options: {
    account?: string;
    region?: string;
    /** The container command of a Fargate job. @default none (the task definition's) */
    command?: (job: AnyJob) => readonly string[];
  } = {},
): PlaceholderBindings {
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
    platformResource: (kind, name) => {
      const named = `audience-io-${name}`;
      switch (kind) {
        case 'snsTopic':
          return `arn:aws:sns:${region}:${account}:${named}`;
        case 'sqsQueue':
          return `https://sqs.${region}.amazonaws.com/${account}/${named}`;
        case 'eventBus':
          return name === 'default' ? 'default' : named;
        default:
          return named;
      }
    },
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

/**
 * Combines strings and Pulumi Inputs (duck-typed Outputs and Promises, so the DSL does not load Pulumi) into one:
 * a string when every value is one, otherwise an Output (through `apply`) or a Promise.
 */
export function combineInputs(
  values: readonly Input<string>[],
  combine: (strings: readonly string[]) => string,
): Input<string> {
  const index = values.findIndex((value) => typeof value !== 'string');
  if (index < 0) return combine(values as readonly string[]);
  const value = values[index] as unknown;
  const rest = (text: string) => combineInputs(values.with(index, text), combine);
  if (typeof (value as { apply?: unknown }).apply === 'function')
    return (value as { apply(f: (t: string) => Input<string>): Input<string> }).apply(rest);
  return Promise.resolve(value as Promise<string>).then(rest) as Input<string>;
}
