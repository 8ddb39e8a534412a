import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { type PolicyStatement, serviceRole } from './iam.ts';
import type { JobNetwork } from './job-network.ts';

/** Arguments of {@link Ec2Capacity}. */
export interface Ec2CapacityArgs {
  readonly cluster: aws.ecs.Cluster;
  readonly network: JobNetwork;
  readonly instanceType: string;
  readonly maxInstances: number;
}

/** ECS-optimized Amazon Linux 2023, resolved by the launch template at launch so it stays current. */
const ECS_AMI = 'resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id';

/**
 * An EC2 capacity provider for tasks larger than Fargate allows: a launch template and an auto scaling group
 * of zero instances that ECS managed scaling grows when such a task is placed and shrinks back to zero.
 */
export class Ec2Capacity extends pulumi.ComponentResource {
  /** Name to use in a capacity provider strategy. */
  readonly capacityProviderName: pulumi.Output<string>;

  constructor(name: string, args: Ec2CapacityArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audience-io:cluster:Ec2Capacity', name, {}, opts);
    const instanceProfile = this.instanceProfile(name, args.cluster);
    const launchTemplate = this.launchTemplate(name, args, instanceProfile);
    const group = this.autoScalingGroup(name, args, launchTemplate);
    this.capacityProviderName = this.capacityProvider(name, group).name;
    this.registerOutputs({ capacityProviderName: this.capacityProviderName });
  }

  private instanceProfile(name: string, cluster: aws.ecs.Cluster): aws.iam.InstanceProfile {
    const containerInstances = cluster.arn.apply(
      (arn) => `${arn.replace(':cluster/', ':container-instance/')}/*`,
    );
    // What the ECS container agent calls, scoped to this cluster; DiscoverPollEndpoint has no resource type.
    const statements: PolicyStatement[] = [
      {
        Sid: 'RegisterWithCluster',
        Effect: 'Allow',
        Action: [
          'ecs:RegisterContainerInstance',
          'ecs:DeregisterContainerInstance',
          'ecs:SubmitContainerStateChange',
          'ecs:SubmitTaskStateChange',
          'ecs:SubmitAttachmentStateChanges',
        ],
        Resource: [cluster.arn],
      },
      {
        Sid: 'PollAsContainerInstance',
        Effect: 'Allow',
        Action: ['ecs:Poll', 'ecs:StartTelemetrySession', 'ecs:UpdateContainerInstancesState'],
        Resource: [containerInstances],
      },
      { Sid: 'DiscoverPollEndpoint', Effect: 'Allow', Action: ['ecs:DiscoverPollEndpoint'], Resource: ['*'] },
    ];
    const role = serviceRole(`${name}-instance`, 'ec2.amazonaws.com', statements, this);
    return new aws.iam.InstanceProfile(`${name}-instance-profile`, { role: role.name }, { parent: this });
  }

  private launchTemplate(
    name: string,
    args: Ec2CapacityArgs,
    profile: aws.iam.InstanceProfile,
  ): aws.ec2.LaunchTemplate {
    const userData = pulumi.interpolate`#!/bin/bash
echo ECS_CLUSTER=${args.cluster.name} >> /etc/ecs/ecs.config
`.apply((script) => Buffer.from(script).toString('base64'));
    return new aws.ec2.LaunchTemplate(
      `${name}-launch-template`,
      {
        imageId: ECS_AMI,
        instanceType: args.instanceType,
        iamInstanceProfile: { arn: profile.arn },
        userData,
        metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled' },
        // The preflight only allows EC2 capacity in subnets with a NAT gateway or VPC endpoints.
        networkInterfaces: [
          { associatePublicIpAddress: 'false', securityGroups: [args.network.securityGroupId] },
        ],
      },
      { parent: this },
    );
  }

  private autoScalingGroup(
    name: string,
    args: Ec2CapacityArgs,
    template: aws.ec2.LaunchTemplate,
  ): aws.autoscaling.Group {
    return new aws.autoscaling.Group(
      `${name}-instances`,
      {
        minSize: 0,
        maxSize: args.maxInstances,
        vpcZoneIdentifiers: args.network.subnetIds,
        launchTemplate: { id: template.id, version: '$Latest' },
        // ECS managed termination protection decides which instances may go.
        protectFromScaleIn: true,
        tags: [{ key: 'AmazonECSManaged', value: 'true', propagateAtLaunch: true }],
      },
      // ECS managed scaling owns the desired count.
      { parent: this, ignoreChanges: ['desiredCapacity'] },
    );
  }

  private capacityProvider(name: string, group: aws.autoscaling.Group): aws.ecs.CapacityProvider {
    return new aws.ecs.CapacityProvider(
      `${name}-capacity-provider`,
      {
        autoScalingGroupProvider: {
          autoScalingGroupArn: group.arn,
          managedTerminationProtection: 'ENABLED',
          managedDraining: 'ENABLED',
          managedScaling: {
            status: 'ENABLED',
            targetCapacity: 100,
            minimumScalingStepSize: 1,
            maximumScalingStepSize: 4,
          },
        },
      },
      { parent: this },
    );
  }
}
