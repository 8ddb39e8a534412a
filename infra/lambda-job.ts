import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { AnyJob } from '../dsl/job.ts';
import { lambdaHandlerName } from '../jobs/runtime/lambda.ts';
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
      },
      { parent: this },
    );
  }
}
