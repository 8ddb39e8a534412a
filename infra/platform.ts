import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { ResourceBindings } from '../dsl/bindings.ts';
import { type AnyWorkflow, callbackPermissions } from '../dsl/index.ts';
import type { AnyJob } from '../dsl/job.ts';
import { AlarmTopic } from './alarm-topic.ts';
import { AudienceBucket } from './audience-bucket.ts';
import { deployedBindings } from './bindings.ts';
import type { PlatformConfig } from './config.ts';
import { FargateJob } from './fargate-job.ts';
import type { PolicyStatement } from './iam.ts';
import { ImportTrigger } from './import-trigger.ts';
import { JobCluster } from './job-cluster.ts';
import { JobImage, type JobImageArgs } from './job-image.ts';
import { JobNetwork } from './job-network.ts';
import { type NeedTargets, needStatements } from './job-permissions.ts';
import { jobEnvironment, jobMetricDefinitions, type RuntimeTargets, vcpusOf } from './job-runtime.ts';
import { JobStatusTable } from './job-status-table.ts';
import { KafkaCredentials } from './kafka-credentials.ts';
import { type AccountScope, LambdaJob } from './lambda-job.ts';
import { OperationsDashboard } from './operations-dashboard.ts';
import type { DeploymentPlan } from './preflight.ts';
import { stateMachineName, WorkflowStateMachine } from './workflow-state-machine.ts';
import type { WorkflowSet } from './workflow-usage.ts';

/** Arguments of {@link AudiencePlatform}. */
export interface AudiencePlatformArgs<W extends { readonly name: string }> extends WorkflowSet<W> {
  /** What the preflight decided: only a checked plan can be deployed. */
  readonly plan: DeploymentPlan;
  readonly image: JobImageArgs;
}

/** The namespace of the jobs' metrics in a stack. */
export function metricsNamespaceOf(stack: string): string {
  return `audience-io/${stack}`;
}

/**
 * Everything `pulumi up` creates for audience-io: storage, the image, the cluster, one function or task
 * definition per job and executor a workflow uses, one state machine per workflow with its alarms, the trigger
 * that starts imports, and the operations dashboard.
 */
export class AudiencePlatform<W extends { readonly name: string }> extends pulumi.ComponentResource {
  /** State machine ARN of each workflow, by workflow name. */
  readonly stateMachineArns: Record<string, pulumi.Output<string>>;
  readonly bucketName: pulumi.Output<string>;
  readonly imageUri: pulumi.Output<string>;
  readonly tableName: pulumi.Output<string>;
  readonly importStarterArn: pulumi.Output<string>;
  readonly alarmTopicArn: pulumi.Output<string>;
  readonly dashboardName: pulumi.Output<string>;

  constructor(name: string, args: AudiencePlatformArgs<W>, opts?: pulumi.ComponentResourceOptions) {
    super('audience-io:platform:AudiencePlatform', name, {}, opts);
    const { config } = args.plan;
    const account = this.accountScope();
    const bucket = new AudienceBucket(
      `${name}-audience`,
      { rejectsExpirationDays: config.rejectsExpirationDays, versioning: config.bucketVersioning },
      { parent: this },
    );
    const table = new JobStatusTable(`${name}-status`, {}, { parent: this });
    const kafka = new KafkaCredentials(`${name}-kafka`, kafkaCredentialsArgs(config), { parent: this });
    const network = new JobNetwork(`${name}-network`, args.plan.network, { parent: this });
    const cluster = new JobCluster(
      `${name}-jobs`,
      { network, ec2Capacity: args.plan.ec2CapacityUsed ? config.ec2Capacity : undefined },
      { parent: this },
    );
    const image = new JobImage(`${name}-image`, args.image, { parent: this });
    const alarms = new AlarmTopic(`${name}-alarms`, { email: config.alarmEmail }, { parent: this });
    // A state machine's ARN is known from its name before it exists: job roles can name it without a cycle.
    const stateMachineArn = (workflow: string) =>
      pulumi.interpolate`arn:${account.partition}:states:${account.region}:${account.accountId}:stateMachine:${stateMachineName(workflow)}`;
    // A job that a callback step (`.waitForTaskToken`) runs reports to it: SendTask* on those state machines.
    const callbackStatements = (job: AnyJob) =>
      callbackPermissions(args.workflows as readonly unknown[] as readonly AnyWorkflow[], job.name, {
        stateMachineArn,
      });
    const jobs = this.deployJobs(name, args.plan, callbackStatements, {
      bucket,
      table,
      kafka,
      image,
      network,
      account,
    });
    const bindings = deployedBindings(
      jobs,
      { clusterArn: cluster.arn, subnetIds: network.subnetIds, securityGroupIds: network.securityGroupIds },
      stateMachineArn,
      (job) => {
        const planned = args.plan.taskJobs.get(job.name)!;
        return {
          capacityProvider:
            planned.sizing.capacity === 'ec2'
              ? cluster.ec2CapacityProviderName!
              : planned.sizing.capacity === 'fargate-spot'
                ? 'FARGATE_SPOT'
                : 'FARGATE',
          assignPublicIp: planned.assignPublicIp,
        };
      },
      { audienceBucketName: bucket.name },
    );
    const machines = this.deployWorkflows(name, args, bindings, alarms.arn);
    const starter = machines.get(args.importStarterWorkflowName)!;
    new ImportTrigger(
      `${name}-import-trigger`,
      { bucketName: bucket.name, starterArn: starter.arn, alarmTopicArn: alarms.arn },
      { parent: this },
    );
    const dashboard = new OperationsDashboard(
      `${name}-operations`,
      {
        region: config.region,
        metricsNamespace: metricsNamespaceOf(pulumi.getStack()),
        workflows: [...machines].map(([workflow, machine]) => ({
          name: workflow,
          stateMachineArn: machine.arn,
          // A job on two executors (the import on Lambda and Fargate) reports under one name.
          throughputJobs: [
            ...new Set(
              (args.plan.usage.jobsByWorkflow.get(workflow) ?? [])
                .filter(({ job }) => jobMetricDefinitions(job).length > 0)
                .map(({ job }) => job.name),
            ),
          ],
        })),
      },
      { parent: this },
    );
    this.stateMachineArns = Object.fromEntries(
      [...machines].map(([workflow, machine]) => [workflow, machine.arn]),
    );
    this.bucketName = bucket.name;
    this.imageUri = image.imageUri;
    this.tableName = table.name;
    this.importStarterArn = starter.arn;
    this.alarmTopicArn = alarms.arn;
    this.dashboardName = dashboard.dashboardName;
    this.registerOutputs({
      stateMachineArns: this.stateMachineArns,
      bucketName: this.bucketName,
      imageUri: this.imageUri,
      tableName: this.tableName,
      importStarterArn: this.importStarterArn,
      alarmTopicArn: this.alarmTopicArn,
      dashboardName: this.dashboardName,
    });
  }

  private deployJobs(
    name: string,
    plan: DeploymentPlan,
    callbackStatements: (job: AnyJob) => PolicyStatement[],
    shared: {
      bucket: AudienceBucket;
      table: JobStatusTable;
      kafka: KafkaCredentials;
      image: JobImage;
      network: JobNetwork;
      account: AccountScope;
    },
  ) {
    const { config } = plan;
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
      metricsNamespace: metricsNamespaceOf(pulumi.getStack()),
      importPlan: config.import,
    };
    const lambda = new Map<string, LambdaJob>();
    for (const { job, sizing, inVpc } of plan.lambdaJobs.values()) {
      const vpc = inVpc
        ? {
            subnetIds: shared.network.subnetIds,
            securityGroupIds: shared.network.securityGroupIds,
            account: shared.account,
          }
        : undefined;
      const deployed = new LambdaJob(
        `${name}-${job.name}-lambda`,
        {
          job,
          sizing,
          imageUri: shared.image.imageUri,
          environment: jobEnvironment(job, 'lambda', runtime, vcpusOf(sizing)).variables,
          needStatements: [...needStatements(job.needs, needTargets, 'lambda'), ...callbackStatements(job)],
          logRetentionDays: config.logRetentionDays,
          vpc,
        },
        { parent: this },
      );
      lambda.set(job.name, deployed);
    }
    const task = new Map<string, FargateJob>();
    for (const { job, sizing } of plan.taskJobs.values()) {
      const environment = jobEnvironment(job, 'task', runtime, vcpusOf(sizing));
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
          needStatements: [...needStatements(job.needs, needTargets, 'task'), ...callbackStatements(job)],
          logRetentionDays: config.logRetentionDays,
        },
        { parent: this },
      );
      task.set(job.name, deployed);
    }
    return { lambda, task };
  }

  private deployWorkflows(
    name: string,
    args: AudiencePlatformArgs<W>,
    bindings: ResourceBindings,
    alarmTopicArn: pulumi.Output<string>,
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
            logLevel: args.plan.config.stateMachineLogLevel,
            logRetentionDays: args.plan.config.logRetentionDays,
            alarmTopicArn,
          },
          { parent: this },
        ),
      );
    }
    return machines;
  }

  /** Partition, region and account from the provider, so every built ARN is right in any partition. */
  private accountScope(): AccountScope {
    return {
      partition: aws.getPartitionOutput({}, { parent: this }).partition,
      region: aws.getRegionOutput({}, { parent: this }).region,
      accountId: aws.getCallerIdentityOutput({}, { parent: this }).accountId,
    };
  }
}

function kafkaCredentialsArgs(config: PlatformConfig) {
  if ('secretArn' in config.kafkaSasl) return { secretArn: config.kafkaSasl.secretArn };
  return { username: config.kafkaSasl.username, password: config.kafkaSaslPassword! };
}
