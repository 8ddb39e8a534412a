import type { AnyJob } from '../dsl/job.ts';
import { CONFIG_NAMESPACE, ConfigError, type PlatformConfig } from './config.ts';
import {
  jobOverrideProblems,
  type LambdaSizing,
  lambdaSizing,
  type TaskSizing,
  taskSizing,
} from './job-sizing.ts';
import {
  assignsPublicIp,
  endpointServicesNeeded,
  lambdaInVpc,
  type NetworkPlan,
  type PlacedJob,
  planNetwork,
} from './network-plan.ts';
import { programTypeCheck } from './preflight-typecheck.ts';
import { awsSubnetLookup, checkSubnetEgress, type SubnetLookup } from './subnet-egress.ts';
import { compileForUsage, type WorkflowSet, type WorkflowUsage } from './workflow-usage.ts';

/** A Lambda job as it will be deployed. */
export interface PlannedLambdaJob {
  readonly job: AnyJob;
  readonly sizing: LambdaSizing;
  /** Runs in the task subnets (it talks to Kafka, which is only reachable in the VPC). */
  readonly inVpc: boolean;
}

/** A task job as it will be deployed. */
export interface PlannedTaskJob {
  readonly job: AnyJob;
  readonly sizing: TaskSizing;
  readonly assignPublicIp: boolean;
}

/** Everything `pulumi up` will create, decided and checked before the first resource registers. */
export interface DeploymentPlan {
  readonly config: PlatformConfig;
  /** Only the executors some workflow uses: nothing is deployed that no workflow runs. */
  readonly lambdaJobs: ReadonlyMap<string, PlannedLambdaJob>;
  readonly taskJobs: ReadonlyMap<string, PlannedTaskJob>;
  readonly network: NetworkPlan & {
    /** The VPC of `kafkaNetwork.subnetIds`, looked up; absent for the VPCs this stack owns. */
    readonly existingVpcId: string | undefined;
  };
  readonly usage: WorkflowUsage;
  /** Some task runs on the EC2 capacity provider, so it is created. */
  readonly ec2CapacityUsed: boolean;
  /** Settings that have no effect, worth telling the deployer. */
  readonly warnings: readonly string[];
}

/** What the preflight reads. */
export interface PreflightInput<W extends { readonly name: string }> extends WorkflowSet<W> {
  readonly config: PlatformConfig;
  /** Answers questions about existing subnets. @default AWS, through the provider's data sources */
  readonly subnetLookup?: SubnetLookup;
  /** Checks that only find problems, run after the others. @default {@link PREFLIGHT_CHECKS} */
  readonly extraChecks?: readonly PreflightCheck[];
}

/** What a problem-only check sees. */
export interface PreflightContext {
  readonly config: PlatformConfig;
  readonly jobs: readonly AnyJob[];
  readonly workflows: readonly { readonly name: string }[];
}

/** A check that finds problems (each a message naming what to fix) without deciding anything. */
export type PreflightCheck = (context: PreflightContext) => readonly string[] | Promise<readonly string[]>;

/**
 * Problem-only checks every deployment runs after configuration, workflow compilation, sizing and network: the
 * type check of the program, its workflows and jobs.
 */
export const PREFLIGHT_CHECKS: readonly PreflightCheck[] = [programTypeCheck];

/** The deployment cannot start; every problem found is listed. Thrown before any resource exists. */
export class PreflightError extends Error {
  override readonly name = 'PreflightError';

  constructor(readonly problems: readonly string[]) {
    super(`${problems.length} problem(s) before deploying:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Checks everything that can be checked without creating anything, collects every problem, and throws a
 * {@link PreflightError} listing them all; otherwise returns the {@link DeploymentPlan} the platform is built from.
 */
export async function preflight<W extends { readonly name: string }>(
  input: PreflightInput<W>,
): Promise<DeploymentPlan> {
  const { config } = input;
  const { usage, problems } = compileForUsage(input);
  problems.push(...jobOverrideProblems(config.jobs, input.jobs));
  const { lambdaJobs, tasks } = sizeUsedJobs(input, usage, problems);
  const placed: PlacedJob[] = input.jobs
    .filter((job) => lambdaJobs.has(job.name) || tasks.has(job.name))
    .map((job) => ({ job, lambda: lambdaJobs.has(job.name), taskCapacity: tasks.get(job.name)?.capacity }));
  const network = planNetwork(config, placed);
  problems.push(...network.problems);
  let existingVpcId: string | undefined;
  if (network.plan.subnets.kind === 'existing') {
    const egress = await checkSubnetEgress(
      network.plan.subnets.subnetIds,
      config.region,
      endpointServicesNeeded(network.plan, placed),
      input.subnetLookup ?? awsSubnetLookup,
    );
    existingVpcId = egress.vpcId;
    problems.push(...egress.problems);
  }
  for (const check of input.extraChecks ?? PREFLIGHT_CHECKS) problems.push(...(await check(input)));
  if (problems.length > 0) throw new PreflightError(problems);
  const plan = network.plan;
  const ec2CapacityUsed = [...tasks.values()].some((sizing) => sizing.capacity === 'ec2');
  return {
    config,
    lambdaJobs: new Map(
      [...lambdaJobs].map(([name, { job, sizing }]) => [
        name,
        { job, sizing, inVpc: lambdaInVpc(plan, job) },
      ]),
    ),
    taskJobs: new Map(
      [...tasks].map(([name, sizing]) => {
        const job = input.jobs.find((j) => j.name === name)!;
        return [name, { job, sizing, assignPublicIp: assignsPublicIp(plan, sizing.capacity) }];
      }),
    ),
    network: { ...plan, existingVpcId },
    usage,
    ec2CapacityUsed,
    warnings:
      config.ec2Capacity && !ec2CapacityUsed
        ? [
            `Configuration key '${CONFIG_NAMESPACE}:ec2Capacity' is set but no job has capacity 'ec2': no EC2 capacity provider is created`,
          ]
        : [],
  };
}

/** Sizes every executor a workflow uses; sizing problems and overrides of unused executors join `problems`. */
function sizeUsedJobs<W extends { readonly name: string }>(
  input: PreflightInput<W>,
  usage: WorkflowUsage,
  problems: string[],
) {
  const { config } = input;
  const lambdaJobs = new Map<string, { job: AnyJob; sizing: LambdaSizing }>();
  const tasks = new Map<string, TaskSizing>();
  for (const job of input.jobs) {
    const used = usage.executors.get(job.name) ?? new Set();
    const override = config.jobs[job.name];
    if (used.has('lambda')) {
      const sizing = collect(problems, () => lambdaSizing(job, override?.lambda));
      if (sizing) lambdaJobs.set(job.name, { job, sizing });
    }
    if (used.has('fargate')) {
      const sizing = collect(problems, () =>
        taskSizing(job, override?.fargate, config.ec2Capacity !== undefined),
      );
      if (sizing) tasks.set(job.name, sizing);
    }
    for (const executor of ['lambda', 'fargate'] as const) {
      if (override?.[executor] && job.runsOn.includes(executor) && !used.has(executor)) {
        problems.push(
          `Configuration key '${CONFIG_NAMESPACE}:jobs.${job.name}.${executor}': no workflow runs ${job.name} on ${executor}, so nothing would use it`,
        );
      }
    }
  }
  return { lambdaJobs, tasks };
}

/** The value, or undefined with the configuration problem added to `problems`. */
function collect<T>(problems: string[], decide: () => T): T | undefined {
  try {
    return decide();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(error.message);
    return undefined;
  }
}
