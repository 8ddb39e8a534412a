import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { AnyJob } from '../dsl/job.ts';
import { fargateCommand, fargateEntryPoint } from '../jobs/runtime/entry-points.ts';
import { type PolicyStatement, serviceRole } from './iam.ts';
import type { JobEnvironment } from './job-runtime.ts';
import type { TaskSizing } from './job-sizing.ts';

/** Arguments of {@link FargateJob}. */
export interface FargateJobArgs {
  readonly job: AnyJob;
  readonly sizing: TaskSizing;
  readonly region: string;
  /** The platform's one image and its repository (for the pull permission). */
  readonly imageUri: pulumi.Input<string>;
  readonly repositoryArn: pulumi.Input<string>;
  readonly environment: JobEnvironment;
  /** Secrets Manager secret the execution role may read for `environment.secrets`; absent when there are none. */
  readonly secretArn: pulumi.Input<string> | undefined;
  /** What the job's needs grant the task role (see `job-permissions.ts`). */
  readonly needStatements: readonly PolicyStatement[];
  readonly logRetentionDays: number;
}

/** The unprivileged user (uid:gid) a task's container runs as; the image's runtime stage sets the same `USER`. */
export const TASK_USER = '1000:1000';

/** The one writable path of a task's read-only root filesystem: a task volume (Fargate's ephemeral storage). */
export const TASK_TMP = '/tmp';

/** ECR's login token has no resource type, so AWS requires `*`. */
export const ECR_AUTH_TOKEN: PolicyStatement = {
  Sid: 'EcrAuthorizationToken',
  Effect: 'Allow',
  Action: ['ecr:GetAuthorizationToken'],
  Resource: ['*'],
};

/**
 * A job run as an ECS task from the platform image: a task definition whose entry point is the job's command,
 * a task role (the job's needs) and an execution role (pull, logs, secrets), and a log group with retention.
 */
export class FargateJob extends pulumi.ComponentResource {
  readonly taskDefinition: aws.ecs.TaskDefinition;
  /** Task definition ARN (what a Fargate step runs). */
  readonly taskDefinitionArn: pulumi.Output<string>;
  /** Container name, for the step's container overrides. */
  readonly containerName: string;
  readonly taskRole: aws.iam.Role;
  readonly executionRole: aws.iam.Role;

  constructor(name: string, args: FargateJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audience-io:jobs:FargateJob', name, {}, opts);
    this.containerName = args.job.name;
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: `/ecs/audience-io/${args.job.name}-${pulumi.getStack()}`,
        retentionInDays: args.logRetentionDays,
      },
      { parent: this },
    );
    this.taskRole = serviceRole(`${name}-task`, 'ecs-tasks.amazonaws.com', args.needStatements, this);
    this.executionRole = this.taskExecutionRole(name, args, logGroup);
    this.taskDefinition = this.jobTaskDefinition(name, args, logGroup);
    this.taskDefinitionArn = this.taskDefinition.arn;
    this.registerOutputs({
      taskDefinitionArn: this.taskDefinitionArn,
      taskRoleArn: this.taskRole.arn,
      executionRoleArn: this.executionRole.arn,
    });
  }

  private taskExecutionRole(
    name: string,
    args: FargateJobArgs,
    logGroup: aws.cloudwatch.LogGroup,
  ): aws.iam.Role {
    const statements: PolicyStatement[] = [
      ECR_AUTH_TOKEN,
      {
        Sid: 'PullPlatformImage',
        Effect: 'Allow',
        Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
        Resource: [args.repositoryArn],
      },
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [pulumi.interpolate`${logGroup.arn}:*`],
      },
    ];
    if (args.secretArn !== undefined && args.environment.secrets.length > 0) {
      statements.push({
        Sid: 'InjectSecrets',
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue'],
        Resource: [args.secretArn],
      });
    }
    return serviceRole(`${name}-execution`, 'ecs-tasks.amazonaws.com', statements, this);
  }

  private jobTaskDefinition(
    name: string,
    args: FargateJobArgs,
    logGroup: aws.cloudwatch.LogGroup,
  ): aws.ecs.TaskDefinition {
    const onEc2 = args.sizing.capacity === 'ec2';
    const container = {
      name: this.containerName,
      image: args.imageUri,
      essential: true,
      // The image's default entry point is Lambda's; a task starts the job's entry instead.
      entryPoint: [...fargateEntryPoint],
      command: fargateCommand(args.job),
      user: TASK_USER,
      // Nothing in the image can be changed at run time; scratch files go to the tmp volume.
      readonlyRootFilesystem: true,
      mountPoints: [{ sourceVolume: 'tmp', containerPath: TASK_TMP, readOnly: false }],
      environment: Object.entries(args.environment.variables).map(([key, value]) => ({ name: key, value })),
      secrets: args.environment.secrets,
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': logGroup.name,
          'awslogs-region': args.region,
          'awslogs-stream-prefix': 'job',
        },
      },
    };
    return new aws.ecs.TaskDefinition(
      `${name}-task-definition`,
      {
        family: `audience-io-${args.job.name}-${pulumi.getStack()}`,
        requiresCompatibilities: [onEc2 ? 'EC2' : 'FARGATE'],
        networkMode: 'awsvpc',
        cpu: String(args.sizing.cpu),
        memory: String(args.sizing.memoryMiB),
        runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
        taskRoleArn: this.taskRole.arn,
        executionRoleArn: this.executionRole.arn,
        volumes: [{ name: 'tmp' }],
        containerDefinitions: pulumi.jsonStringify([container]),
      },
      { parent: this },
    );
  }
}
