import * as aws from '@pulumi/aws';
import * as awsx from '@pulumi/awsx';
import * as pulumi from '@pulumi/pulumi';
import type { DeploymentPlan } from './preflight.ts';

/** How many of the default VPC's subnets (one per availability zone) tasks spread over. */
export const DEFAULT_VPC_SUBNETS = 2;

/** HTTPS: every AWS API the jobs call (ECR, S3, DynamoDB, Secrets Manager, CloudWatch Logs, ECS). */
const HTTPS = 443;

/**
 * Where tasks (and Kafka-talking Lambdas, when Kafka is in a VPC) run: the default VPC, a new VPC (without NAT
 * gateways unless asked, so nothing is billed when idle) or existing subnets, and one security group that lets
 * out only HTTPS and the Kafka brokers' ports.
 */
export class JobNetwork extends pulumi.ComponentResource {
  /** Subnets tasks are placed in, as a list of known length (a workflow's RunTask parameters list them). */
  readonly subnetIds: pulumi.Output<string>[];
  /** The jobs' own security group. */
  readonly securityGroupId: pulumi.Output<string>;
  /** Every group a task or VPC Lambda gets: the jobs' own, then `kafkaNetwork.securityGroupIds`. */
  readonly securityGroupIds: pulumi.Output<string>[];

  constructor(name: string, args: DeploymentPlan['network'], opts?: pulumi.ComponentResourceOptions) {
    super('audience-io:network:JobNetwork', name, {}, opts);
    const { vpcId, subnetIds } = this.taskSubnets(name, args);
    this.subnetIds = subnetIds;
    this.securityGroupId = this.jobsSecurityGroup(name, vpcId, args.kafkaPorts).id;
    this.securityGroupIds = [
      this.securityGroupId,
      ...args.extraSecurityGroupIds.map((id) => pulumi.output(id)),
    ];
    this.registerOutputs({ subnetIds: this.subnetIds, securityGroupIds: this.securityGroupIds });
  }

  private taskSubnets(
    name: string,
    args: DeploymentPlan['network'],
  ): { vpcId: pulumi.Input<string>; subnetIds: pulumi.Output<string>[] } {
    const subnets = args.subnets;
    switch (subnets.kind) {
      case 'existing':
        return {
          vpcId: args.existingVpcId!,
          subnetIds: subnets.subnetIds.map((id) => pulumi.output(id)),
        };
      case 'default-vpc': {
        const vpc = new awsx.ec2.DefaultVpc(`${name}-vpc`, {}, { parent: this });
        return { vpcId: vpc.vpcId, subnetIds: firstSubnets(vpc.publicSubnetIds, DEFAULT_VPC_SUBNETS) };
      }
      case 'new-vpc': {
        const vpc = new awsx.ec2.Vpc(
          `${name}-vpc`,
          {
            cidrBlock: subnets.cidrBlock,
            numberOfAvailabilityZones: subnets.availabilityZones,
            natGateways: { strategy: subnets.natGateway ? 'Single' : 'None' },
            subnetSpecs: subnets.natGateway
              ? [{ type: 'Public' }, { type: 'Private' }]
              : [{ type: 'Public' }],
          },
          { parent: this },
        );
        const ids = subnets.natGateway ? vpc.privateSubnetIds : vpc.publicSubnetIds;
        return { vpcId: vpc.vpcId, subnetIds: firstSubnets(ids, subnets.availabilityZones) };
      }
    }
  }

  private jobsSecurityGroup(
    name: string,
    vpcId: pulumi.Input<string>,
    kafkaPorts: readonly number[],
  ): aws.ec2.SecurityGroup {
    const egress = [
      { port: HTTPS, description: 'AWS APIs over HTTPS' },
      ...kafkaPorts.filter((port) => port !== HTTPS).map((port) => ({ port, description: 'Kafka brokers' })),
    ];
    return new aws.ec2.SecurityGroup(
      `${name}-jobs`,
      {
        vpcId,
        description: 'audience-io jobs: outbound HTTPS and Kafka only',
        // Nothing connects to a job; the VPC's DNS resolver is not filtered by security groups.
        ingress: [],
        egress: egress.map(({ port, description }) => ({
          protocol: 'tcp',
          fromPort: port,
          toPort: port,
          cidrBlocks: ['0.0.0.0/0'],
          description,
        })),
      },
      { parent: this },
    );
  }
}

function firstSubnets(subnetIds: pulumi.Output<string[]>, count: number): pulumi.Output<string>[] {
  return Array.from({ length: count }, (_, index) =>
    subnetIds.apply((ids) => {
      const id = ids[index];
      if (id === undefined)
        throw new Error(`The VPC has ${ids.length} task subnet(s); the platform uses ${count}`);
      return id;
    }),
  );
}
