import * as aws from '@pulumi/aws';
import * as awsx from '@pulumi/awsx';
import * as pulumi from '@pulumi/pulumi';
import type { PlatformConfig } from './config.ts';

/** How many of the default VPC's subnets (one per availability zone) tasks spread over. */
export const DEFAULT_VPC_SUBNETS = 2;

/**
 * Where tasks and EC2 instances run: the default VPC, or a new VPC (without NAT gateways unless asked,
 * so nothing is billed when idle), and one security group that allows outbound traffic only.
 */
export class JobNetwork extends pulumi.ComponentResource {
  /** Subnets tasks are placed in, as a list of known length (a workflow's RunTask parameters list them). */
  readonly subnetIds: pulumi.Output<string>[];
  /** Whether tasks need a public IP to reach ECR, S3, DynamoDB and Kafka (public subnets, no NAT). */
  readonly assignPublicIp: boolean;
  /** Security group of tasks and instances: egress only. */
  readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: PlatformConfig['network'], opts?: pulumi.ComponentResourceOptions) {
    super('audience-io:network:JobNetwork', name, {}, opts);
    const { vpcId, subnetIds, assignPublicIp } =
      args.vpc === 'default' ? this.defaultVpc(name) : this.newVpc(name, args);
    this.subnetIds = firstSubnets(
      subnetIds,
      args.vpc === 'default' ? DEFAULT_VPC_SUBNETS : args.availabilityZones,
    );
    this.assignPublicIp = assignPublicIp;
    this.securityGroupId = this.egressOnlyGroup(name, vpcId).id;
    this.registerOutputs({ subnetIds: this.subnetIds, securityGroupId: this.securityGroupId });
  }

  private defaultVpc(name: string) {
    const vpc = new awsx.ec2.DefaultVpc(`${name}-vpc`, {}, { parent: this });
    return { vpcId: vpc.vpcId, subnetIds: vpc.publicSubnetIds, assignPublicIp: true };
  }

  private newVpc(name: string, args: Extract<PlatformConfig['network'], { vpc: 'new' }>) {
    const vpc = new awsx.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: args.cidrBlock,
        numberOfAvailabilityZones: args.availabilityZones,
        natGateways: { strategy: args.natGateway ? 'Single' : 'None' },
        subnetSpecs: args.natGateway ? [{ type: 'Public' }, { type: 'Private' }] : [{ type: 'Public' }],
      },
      { parent: this },
    );
    return args.natGateway
      ? { vpcId: vpc.vpcId, subnetIds: vpc.privateSubnetIds, assignPublicIp: false }
      : { vpcId: vpc.vpcId, subnetIds: vpc.publicSubnetIds, assignPublicIp: true };
  }

  private egressOnlyGroup(name: string, vpcId: pulumi.Output<string>): aws.ec2.SecurityGroup {
    return new aws.ec2.SecurityGroup(
      `${name}-jobs`,
      {
        vpcId,
        description: 'audience-io jobs: outbound only',
        egress: [
          {
            protocol: '-1',
            fromPort: 0,
            toPort: 0,
            cidrBlocks: ['0.0.0.0/0'],
            description: 'AWS APIs and Kafka',
          },
        ],
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
