import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { PlatformConfig } from './config.ts';
import { Ec2Capacity } from './ec2-capacity.ts';
import type { JobNetwork } from './job-network.ts';

/** Arguments of {@link JobCluster}. */
export interface JobClusterArgs {
  readonly network: JobNetwork;
  /** The EC2 capacity provider, when a task job runs on it; absent, the cluster runs Fargate and Fargate Spot only. */
  readonly ec2Capacity: PlatformConfig['ec2Capacity'];
}

/**
 * The ECS cluster the task jobs run on: Fargate and Fargate Spot, plus an EC2 capacity provider that scales
 * from zero instances for jobs larger than Fargate allows. No service runs on it, so idle it costs nothing.
 */
export class JobCluster extends pulumi.ComponentResource {
  readonly cluster: aws.ecs.Cluster;
  /** Cluster ARN. */
  readonly arn: pulumi.Output<string>;
  /** Name of the EC2 capacity provider, when there is one. */
  readonly ec2CapacityProviderName: pulumi.Output<string> | undefined;

  constructor(name: string, args: JobClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audience-io:cluster:JobCluster', name, {}, opts);
    this.cluster = new aws.ecs.Cluster(
      `${name}-cluster`,
      // Per-task CPU, memory and network metrics; billed only while tasks run.
      { settings: [{ name: 'containerInsights', value: 'enabled' }] },
      { parent: this },
    );
    this.arn = this.cluster.arn;
    const ec2 = args.ec2Capacity && this.ec2CapacityProvider(name, args.network, args.ec2Capacity);
    this.ec2CapacityProviderName = ec2?.capacityProviderName;
    this.attachCapacityProviders(name, ec2?.capacityProviderName);
    this.registerOutputs({ arn: this.arn, ec2CapacityProviderName: this.ec2CapacityProviderName });
  }

  private ec2CapacityProvider(
    name: string,
    network: JobNetwork,
    config: NonNullable<PlatformConfig['ec2Capacity']>,
  ): Ec2Capacity {
    return new Ec2Capacity(
      `${name}-ec2`,
      {
        cluster: this.cluster,
        network,
        instanceType: config.instanceType,
        maxInstances: config.maxInstances,
      },
      { parent: this },
    );
  }

  private attachCapacityProviders(
    name: string,
    ec2CapacityProviderName: pulumi.Output<string> | undefined,
  ): void {
    new aws.ecs.ClusterCapacityProviders(
      `${name}-capacity-providers`,
      {
        clusterName: this.cluster.name,
        capacityProviders: [
          'FARGATE',
          'FARGATE_SPOT',
          ...(ec2CapacityProviderName ? [ec2CapacityProviderName] : []),
        ],
        defaultCapacityProviderStrategies: [{ capacityProvider: 'FARGATE', weight: 1 }],
      },
      { parent: this },
    );
  }
}
