import type * as pulumi from '@pulumi/pulumi';
import type { FargateBinding, ResourceBindings } from '../dsl/bindings.ts';
import type { AnyJob } from '../dsl/job.ts';
import { fargateCommand } from '../jobs/runtime/entry-points.ts';
import type { FargateJob } from './fargate-job.ts';
import type { LambdaJob } from './lambda-job.ts';

/** Where tasks are placed, the same for every task job. */
export interface TaskPlacement {
  readonly clusterArn: pulumi.Input<string>;
  readonly subnetIds: readonly pulumi.Input<string>[];
  readonly securityGroupIds: readonly pulumi.Input<string>[];
}

/** How one task job's tasks are started: on which capacity, and whether with a public IP. */
export interface TaskLaunch {
  readonly capacityProvider: pulumi.Input<string>;
  readonly assignPublicIp: boolean;
}

/** The platform resources a workflow may name (`platformResource(kind, name)`), as deployed. */
export interface DeployedPlatformResources {
  /** `platformResource('s3Bucket', 'audience')`: the audience bucket (imports, rejects, exports, map results). */
  readonly audienceBucketName: pulumi.Input<string>;
}

/** The deployed resources of each job, by job name. */
export interface DeployedJobs {
  readonly lambda: ReadonlyMap<string, LambdaJob>;
  readonly task: ReadonlyMap<string, FargateJob>;
}

/** The bindings that compile workflows against the deployed functions, task definitions and roles. */
export function deployedBindings(
  jobs: DeployedJobs,
  placement: TaskPlacement,
  stateMachineArn: (workflowName: string) => pulumi.Input<string>,
  launch: (job: AnyJob) => TaskLaunch,
  platform: DeployedPlatformResources,
): ResourceBindings {
  return {
    platformResource(kind, name) {
      if (kind === 's3Bucket' && name === 'audience') return platform.audienceBucketName;
      throw new Error(
        `Platform resource ${kind} '${name}' is not deployed by this stack (it deploys s3Bucket 'audience')`,
      );
    },
    lambda(job) {
      return { functionArn: deployed(jobs.lambda, job, 'lambda').functionArn };
    },
    fargate(job): FargateBinding {
      const task = deployed(jobs.task, job, 'fargate');
      const { capacityProvider, assignPublicIp } = launch(job);
      return {
        cluster: placement.clusterArn,
        taskDefinition: task.taskDefinitionArn,
        containerName: task.containerName,
        // The same command as the task definition's, so the deployed ASL equals what synth and the local runner run.
        command: fargateCommand(job),
        subnets: placement.subnetIds,
        securityGroups: placement.securityGroupIds,
        // ECS refuses a public IP for EC2 tasks; those and tasks in private subnets leave through NAT or endpoints.
        assignPublicIp,
        capacityProviderStrategy: [{ capacityProvider, weight: 1 }],
        taskRoleArn: task.taskRole.arn,
        executionRoleArn: task.executionRole.arn,
      };
    },
    stateMachineArn,
  };
}

/** A job and executor a workflow asked for. */
export interface BindingRequest {
  readonly job: AnyJob;
  readonly executor: 'lambda' | 'fargate';
}

/** Wraps bindings to record every job and executor a compile asks for. */
export function recordingBindings(base: ResourceBindings, requests: BindingRequest[]): ResourceBindings {
  return {
    lambda(job) {
      requests.push({ job, executor: 'lambda' });
      return base.lambda(job);
    },
    fargate(job) {
      requests.push({ job, executor: 'fargate' });
      return base.fargate(job);
    },
    ...(base.stateMachineArn ? { stateMachineArn: base.stateMachineArn.bind(base) } : {}),
    ...(base.platformResource ? { platformResource: base.platformResource.bind(base) } : {}),
  };
}

function deployed<T>(byName: ReadonlyMap<string, T>, job: AnyJob, executor: string): T {
  const found = byName.get(job.name);
  if (!found)
    throw new Error(
      `Job '${job.name}' has no ${executor} deployment: is it in jobs/index.ts allJobs with '${executor}' in runsOn?`,
    );
  return found;
}
