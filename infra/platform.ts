import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { placeholderBindings, type ResourceBindings } from '../dsl/bindings.ts';
import type { AnyJob } from '../dsl/job.ts';
import type { ValidationIssue } from '../dsl/validation-issue.ts';
import { AudienceBucket } from './audience-bucket.ts';
import { type BindingRequest, deployedBindings, recordingBindings } from './bindings.ts';
import type { PlatformConfig } from './config.ts';
import { FargateJob } from './fargate-job.ts';
import { ImportTrigger } from './import-trigger.ts';
import { JobCluster } from './job-cluster.ts';
import { JobImage, type JobImageArgs } from './job-image.ts';
import { JobNetwork } from './job-network.ts';
import { type NeedTargets, needStatements } from './job-permissions.ts';
import { jobEnvironment, type RuntimeTargets } from './job-runtime.ts';
import { checkJobOverrides, lambdaSizing, taskSizing } from './job-sizing.ts';
import { JobStatusTable } from './job-status-table.ts';
import { KafkaCredentials } from './kafka-credentials.ts';
import { LambdaJob } from './lambda-job.ts';
import { type StateMachineSource, stateMachineName, WorkflowStateMachine } from './workflow-state-machine.ts';

/** Name of the workflow that turns an uploaded object into an import execution (`workflows/import-starter.ts`). */
const IMPORT_STARTER = 'import-starter';

/** A workflow compiled against some bindings, with the problems found while compiling. */
export interface CompiledSource extends StateMachineSource {
  readonly issues: readonly ValidationIssue[];
}

/** Arguments of {@link AudiencePlatform}. */
export interface AudiencePlatformArgs<W extends { readonly name: string }> {
  readonly config: PlatformConfig;
  /** Every job (`jobs/index.ts` `allJobs`); each gets a function and/or task definition per executor it runs on. */
  readonly jobs: readonly AnyJob[];
  /** Every workflow; each becomes a state machine. */
  readonly workflows: readonly W[];
  /** The DSL's compiler. */
  readonly compile: (workflow: W, bindings: ResourceBindings) => CompiledSource;
  readonly image: JobImageArgs;
  /** The workflow EventBridge starts for objects created under `imports/`. @default 'import-starter' */
  readonly importStarterWorkflowName?: string;
}

/** Workflows whose compile found problems; thrown before any resource is created. */
export class WorkflowIssuesError extends Error {
  override readonly name = 'WorkflowIssuesError';
}

/**
 * Everything `pulumi up` creates for audience-io: storage, the image, the cluster, one function or task
 * definition per job and executor, one state machine per workflow, and the trigger that starts imports.
 */
export class AudiencePlatform<W extends { readonly name: string }> extends pulumi.ComponentResource {
  /** State machine ARN of each workflow, by workflow name. */
  readonly stateMachineArns: Record<string, pulumi.Output<string>>;
  readonly bucketName: pulumi.Output<string>;
  readonly imageUri: pulumi.Output<string>;
  readonly tableName: pulumi.Output<string>;
  readonly importStarterArn: pulumi.Output<string>;

  constructor(name: string, args: AudiencePlatformArgs<W>, opts?: pulumi.ComponentResourceOptions) {
    // Checked before the component registers, so nothing at all is created when they fail.
    checkJobOverrides(args.config.jobs, args.jobs);
    checkWorkflows(args);
    super('audience-io:platform:AudiencePlatform', name, {}, opts);
    const bucket = new AudienceBucket(
      `${name}-audience`,
      { rejectsExpirationDays: args.config.rejectsExpirationDays },
      { parent: this },
    );
    const table = new JobStatusTable(`${name}-status`, {}, { parent: this });
    const kafka = new KafkaCredentials(`${name}-kafka`, kafkaCredentialsArgs(args.config), { parent: this });
    const network = new JobNetwork(`${name}-network`, args.config.network, { parent: this });
    const cluster = new JobCluster(
      `${name}-jobs`,
      { network, ec2Capacity: args.config.ec2Capacity },
      { parent: this },
    );
    const image = new JobImage(`${name}-image`, args.image, { parent: this });
    const jobs = this.deployJobs(name, args, { bucket, table, kafka, image, cluster });
    const bindings = deployedBindings(
      jobs,
      {
        clusterArn: cluster.arn,
        subnetIds: network.subnetIds,
        securityGroupId: network.securityGroupId,
        assignPublicIp: network.assignPublicIp,
      },
      (workflowName) => this.stateMachineArnOf(workflowName),
    );
    const machines = this.deployWorkflows(name, args, bindings);
    const starter = machines.get(args.importStarterWorkflowName ?? IMPORT_STARTER)!;
    new ImportTrigger(
      `${name}-import-trigger`,
      { bucketName: bucket.name, starterArn: starter.arn },
      { parent: this },
    );
    this.stateMachineArns = Object.fromEntries(
      [...machines].map(([workflow, machine]) => [workflow, machine.arn]),
    );
    this.bucketName = bucket.name;
    this.imageUri = image.imageUri;
    this.tableName = table.name;
    this.importStarterArn = starter.arn;
    this.registerOutputs({
      stateMachineArns: this.stateMachineArns,
      bucketName: this.bucketName,
      imageUri: this.imageUri,
      tableName: this.tableName,
      importStarterArn: this.importStarterArn,
    });
  }

  private deployJobs(
    name: string,
    args: AudiencePlatformArgs<W>,
    shared: {
      bucket: AudienceBucket;
      table: JobStatusTable;
      kafka: KafkaCredentials;
      image: JobImage;
      cluster: JobCluster;
    },
  ) {
    const { config } = args;
    const needTargets: NeedTargets = {
      bucketArn: shared.bucket.arn,
      tableArn: shared.table.arn,
      kafkaSecretArn: shared.kafka.secretArn,
    };
    const runtime: RuntimeTargets = {
      region: config.region,
      kafkaBrokers: config.kafkaBrokers,
      audienceTopic: config.audienceTopic,
      kafkaSaslMechanism: config.kafkaSasl.mechanism,
      kafkaSecretArn: shared.kafka.secretArn,
      tableName: shared.table.name,
    };
    const lambda = new Map<string, LambdaJob>();
    const task = new Map<string, { job: FargateJob; capacityProvider: pulumi.Input<string> }>();
    for (const job of args.jobs) {
      const override = config.jobs[job.name];
      if (job.runsOn.includes('lambda')) {
        lambda.set(
          job.name,
          new LambdaJob(
            `${name}-${job.name}-lambda`,
            {
              job,
              sizing: lambdaSizing(job, override),
              imageUri: shared.image.imageUri,
              environment: jobEnvironment(job, 'lambda', runtime).variables,
              needStatements: needStatements(job.needs, needTargets, 'lambda'),
              logRetentionDays: config.logRetentionDays,
            },
            { parent: this },
          ),
        );
      }
      if (job.runsOn.includes('fargate')) {
        const sizing = taskSizing(job, override, config.ec2Capacity !== undefined);
        const environment = jobEnvironment(job, 'task', runtime);
        const deployed = new FargateJob(
          `${name}-${job.name}-fargate`,
          {
            job,
            sizing,
            region: config.region,
            imageUri: shared.image.imageUri,
            repositoryArn: shared.image.repositoryArn,
            environment,
            secretArn: environment.secrets.length > 0 ? shared.kafka.secretArn : undefined,
            needStatements: needStatements(job.needs, needTargets, 'task'),
            logRetentionDays: config.logRetentionDays,
          },
          { parent: this },
        );
        const capacityProvider =
          sizing.capacity === 'ec2'
            ? shared.cluster.ec2CapacityProviderName!
            : sizing.capacity === 'fargate-spot'
              ? 'FARGATE_SPOT'
              : 'FARGATE';
        task.set(job.name, { job: deployed, capacityProvider });
      }
    }
    return { lambda, task };
  }

  private deployWorkflows(
    name: string,
    args: AudiencePlatformArgs<W>,
    bindings: ResourceBindings,
  ): Map<string, WorkflowStateMachine> {
    const machines = new Map<string, WorkflowStateMachine>();
    for (const workflow of args.workflows) {
      const compiled = args.compile(workflow, bindings);
      machines.set(
        workflow.name,
        new WorkflowStateMachine(
          `${name}-${workflow.name}`,
          {
            source: compiled,
            logLevel: args.config.stateMachineLogLevel,
            logRetentionDays: args.config.logRetentionDays,
          },
          { parent: this },
        ),
      );
    }
    return machines;
  }

  private stateMachineArnOf(workflowName: string): pulumi.Output<string> {
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const partition = aws.getPartitionOutput({}, { parent: this });
    const region = aws.getRegionOutput({}, { parent: this });
    return pulumi.interpolate`arn:${partition.partition}:states:${region.region}:${identity.accountId}:stateMachine:${stateMachineName(workflowName)}`;
  }
}

/**
 * Compiles every workflow against placeholder ARNs first and throws, before any resource exists, when a
 * workflow has issues, uses a job that is not deployed or an executor its job does not run on, or when the
 * import workflow is missing.
 */
function checkWorkflows<W extends { readonly name: string }>(args: AudiencePlatformArgs<W>): void {
  const problems: string[] = [];
  const jobsByName = new Map(args.jobs.map((job) => [job.name, job]));
  const seen = new Set<string>();
  for (const workflow of args.workflows) {
    if (seen.has(workflow.name)) problems.push(`Workflow '${workflow.name}' is declared twice`);
    seen.add(workflow.name);
    const requests: BindingRequest[] = [];
    const compiled = args.compile(workflow, recordingBindings(placeholderBindings(), requests));
    for (const issue of compiled.issues) {
      problems.push(`Workflow '${workflow.name}': ${issue.code} at ${issue.path}: ${issue.message}`);
    }
    for (const { job, executor } of requests) {
      if (jobsByName.get(job.name) !== job) {
        problems.push(`Workflow '${workflow.name}': job '${job.name}' is not in jobs/index.ts allJobs`);
      } else if (!job.runsOn.includes(executor)) {
        problems.push(
          `Workflow '${workflow.name}': job '${job.name}' runs on ${job.runsOn.join(', ')}, not ${executor}`,
        );
      }
    }
  }
  const starter = args.importStarterWorkflowName ?? IMPORT_STARTER;
  if (!seen.has(starter))
    problems.push(`No workflow named '${starter}' for objects created under imports/ to start`);
  if (problems.length > 0) {
    throw new WorkflowIssuesError(
      `${problems.length} problem(s) before deploying:\n  ${[...new Set(problems)].join('\n  ')}`,
    );
  }
}

function kafkaCredentialsArgs(config: PlatformConfig) {
  if ('secretArn' in config.kafkaSasl) return { secretArn: config.kafkaSasl.secretArn };
  return { username: config.kafkaSasl.username, password: config.kafkaSaslPassword! };
}
