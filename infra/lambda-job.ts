import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { AnyJob } from '../dsl/job.ts';
import { lambdaHandlerName } from '../jobs/runtime/entry-points.ts';
import { type PolicyStatement, serviceRole } from './iam.ts';
import type { LambdaSizing } from './job-sizing.ts';

/** Arguments of {@link LambdaJob}. */
export interface LambdaJobArgs {
  readonly job: AnyJob;
  readonly sizing: LambdaSizing;
  /** The platform's one image. */
  readonly imageUri: pulumi.Input<string>;
  readonly environment: Record<string, pulumi.Input<string>>;
  /** What the job's needs grant (see `job-permissions.ts`). */
  readonly needStatements: readonly PolicyStatement[];
  readonly logRetentionDays: number;
  /** Subnets and security groups when the function runs in the VPC (to reach a Kafka that only answers there). */
  readonly vpc?: LambdaVpc;
}

/** Where a function joins the VPC, and the account its network interfaces are created in. */
export interface LambdaVpc {
  readonly subnetIds: readonly pulumi.Input<string>[];
  readonly securityGroupIds: readonly pulumi.Input<string>[];
  readonly account: AccountScope;
}

/** Partition, region and account of the stack: what ARNs without a resource to read them from are built of. */
export interface AccountScope {
  readonly partition: pulumi.Input<string>;
  readonly region: pulumi.Input<string>;
  readonly accountId: pulumi.Input<string>;
}

/**
 * What Lambda needs to attach a function to the VPC, on the function's role. DescribeNetworkInterfaces has no
 * resource type; the rest is limited to network interfaces of this account and region and the given subnets
 * and groups.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
 */
export function vpcAccessStatements(vpc: LambdaVpc): PolicyStatement[] {
  const { partition, region, accountId } = vpc.account;
  const ec2 = (resource: pulumi.Input<string>) =>
    pulumi.interpolate`arn:${partition}:ec2:${region}:${accountId}:${resource}`;
  const interfaces = ec2('network-interface/*');
  return [
    {
      Sid: 'CreateFunctionNetworkInterfaces',
      Effect: 'Allow',
      Action: ['ec2:CreateNetworkInterface'],
      Resource: [
        interfaces,
        ...vpc.subnetIds.map((id) => ec2(pulumi.interpolate`subnet/${id}`)),
        ...vpc.securityGroupIds.map((id) => ec2(pulumi.interpolate`security-group/${id}`)),
      ],
    },
    {
      Sid: 'ManageFunctionNetworkInterfaces',
      Effect: 'Allow',
      Action: [
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      Resource: [interfaces],
    },
    {
      Sid: 'DescribeNetworkInterfaces',
      Effect: 'Allow',
      Action: ['ec2:DescribeNetworkInterfaces'],
      Resource: ['*'],
    },
  ];
}

/** X-Ray segment upload; these actions have no resource type, so AWS requires `*`. */
export const XRAY_WRITE: PolicyStatement = {
  Sid: 'XRayWrite',
  Effect: 'Allow',
  Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
  Resource: ['*'],
};

/** A job run as a Lambda function from the platform image: its own role, log group with retention, tracing on. */
export class LambdaJob extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  /** Function ARN (what a Lambda step invokes). */
  readonly functionArn: pulumi.Output<string>;
  /** The function's execution role. */
  readonly role: aws.iam.Role;

  constructor(name: string, args: LambdaJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audience-io:jobs:LambdaJob', name, {}, opts);
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: `/aws/lambda/audience-io/${args.job.name}-${pulumi.getStack()}`,
        retentionInDays: args.logRetentionDays,
      },
      { parent: this },
    );
    this.role = this.executionRole(name, args, logGroup);
    this.function = this.lambdaFunction(name, args, logGroup);
    this.functionArn = this.function.arn;
    this.registerOutputs({ functionArn: this.functionArn, roleArn: this.role.arn });
  }

  private executionRole(name: string, args: LambdaJobArgs, logGroup: aws.cloudwatch.LogGroup): aws.iam.Role {
    return serviceRole(
      name,
      'lambda.amazonaws.com',
      [
        {
          Sid: 'WriteOwnLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: [pulumi.interpolate`${logGroup.arn}:*`],
        },
        XRAY_WRITE,
        ...(args.vpc ? vpcAccessStatements(args.vpc) : []),
        ...args.needStatements,
      ],
      this,
    );
  }

  private lambdaFunction(
    name: string,
    args: LambdaJobArgs,
    logGroup: aws.cloudwatch.LogGroup,
  ): aws.lambda.Function {
    return new aws.lambda.Function(
      `${name}-function`,
      {
        description: args.job.description,
        packageType: 'Image',
        imageUri: args.imageUri,
        imageConfig: { commands: [lambdaHandlerName(args.job)] },
        architectures: ['x86_64'],
        role: this.role.arn,
        memorySize: args.sizing.memoryMiB,
        timeout: args.sizing.timeoutSeconds,
        tracingConfig: { mode: 'Active' },
        loggingConfig: { logFormat: 'JSON', logGroup: logGroup.name },
        environment: { variables: args.environment },
        ...(args.vpc
          ? {
              vpcConfig: {
                subnetIds: [...args.vpc.subnetIds],
                securityGroupIds: [...args.vpc.securityGroupIds],
              },
            }
          : {}),
      },
      { parent: this },
    );
  }
}
