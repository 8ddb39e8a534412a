import type { AnyJob } from '../dsl/job.ts';
import { CONFIG_NAMESPACE, type PlatformConfig, type TaskCapacity } from './config.ts';

/** The subnets tasks run in (and the Kafka-talking Lambdas, when Kafka is only reachable in a VPC). */
export type TaskSubnets =
  | { readonly kind: 'default-vpc' }
  | {
      readonly kind: 'new-vpc';
      readonly cidrBlock: string;
      readonly availabilityZones: number;
      readonly natGateway: boolean;
    }
  | { readonly kind: 'existing'; readonly subnetIds: readonly string[] };

/** Where the jobs run and how they reach Kafka and the AWS APIs, decided before anything is created. */
export interface NetworkPlan {
  readonly subnets: TaskSubnets;
  /** Kafka answers only inside the VPC: every job that talks to it runs in the task subnets, Lambda included. */
  readonly kafkaInVpc: boolean;
  /** Groups added to the jobs' own security group (`kafkaNetwork.securityGroupIds`). */
  readonly extraSecurityGroupIds: readonly string[];
  /** The brokers' TCP ports: with 443 (the AWS APIs), the only ports the jobs' security group lets out. */
  readonly kafkaPorts: readonly number[];
  /** Tasks run in public subnets without NAT: a Fargate task needs a public IP to reach anything. */
  readonly publicSubnets: boolean;
}

/** A job as the network sees it: what it touches, and where its task runs (absent: Lambda only). */
export interface PlacedJob {
  readonly job: AnyJob;
  readonly lambda: boolean;
  readonly taskCapacity: TaskCapacity | undefined;
}

/** Whether a task job's task gets a public IP: only a Fargate task in public subnets (EC2 tasks never can). */
export function assignsPublicIp(plan: NetworkPlan, capacity: TaskCapacity): boolean {
  return plan.publicSubnets && capacity !== 'ec2';
}

/** Whether a Lambda job runs in the task subnets: it talks to Kafka, and Kafka is only reachable in the VPC. */
export function lambdaInVpc(plan: NetworkPlan, job: AnyJob): boolean {
  return plan.kafkaInVpc && job.needs.includes('kafka');
}

/** The network plan of a configuration, and the problems that make it unusable (egress of existing subnets aside). */
export function planNetwork(
  config: Pick<PlatformConfig, 'network' | 'kafkaNetwork' | 'kafkaBrokers'>,
  placed: readonly PlacedJob[],
): { plan: NetworkPlan; problems: string[] } {
  const problems: string[] = [];
  const kafka = config.kafkaNetwork;
  const subnets: TaskSubnets =
    kafka.mode === 'vpc' && kafka.subnetIds
      ? { kind: 'existing', subnetIds: kafka.subnetIds }
      : config.network.vpc === 'default'
        ? { kind: 'default-vpc' }
        : { kind: 'new-vpc', ...omitVpc(config.network) };
  if (subnets.kind === 'existing' && config.network.vpc === 'new') {
    problems.push(
      `Configuration keys '${CONFIG_NAMESPACE}:network' and '${CONFIG_NAMESPACE}:kafkaNetwork.subnetIds' both place the jobs: ` +
        'the new VPC would be unused; remove one',
    );
  }
  const kafkaInVpc = kafka.mode === 'vpc';
  const plan: NetworkPlan = {
    subnets,
    kafkaInVpc,
    extraSecurityGroupIds: kafka.mode === 'vpc' ? kafka.securityGroupIds : [],
    kafkaPorts: [...new Set(config.kafkaBrokers.map((broker) => Number(broker.split(':').at(-1))))].sort(
      (a, b) => a - b,
    ),
    publicSubnets: !kafkaInVpc && !hasNat(subnets) && subnets.kind !== 'existing',
  };
  const needsPrivateEgress = privateEgressReasons(plan, placed);
  if (needsPrivateEgress.length > 0 && (subnets.kind === 'default-vpc' || subnets.kind === 'new-vpc')) {
    if (!hasNat(subnets)) {
      problems.push(
        `${needsPrivateEgress.join(' and ')} without a public IP, but the ${subnets.kind === 'default-vpc' ? 'default VPC' : 'new VPC'}` +
          ` has no NAT gateway, so they could reach neither ECR, S3, DynamoDB nor Kafka: set '${CONFIG_NAMESPACE}:network'` +
          ` to { vpc: new, natGateway: true } or '${CONFIG_NAMESPACE}:kafkaNetwork.subnetIds' to private subnets with a NAT` +
          ' gateway or VPC endpoints',
      );
    }
  }
  return { plan, problems };
}

/** Why the jobs need egress without a public IP (empty when every job may have one or runs outside the VPC). */
export function privateEgressReasons(plan: NetworkPlan, placed: readonly PlacedJob[]): string[] {
  const reasons: string[] = [];
  const onEc2 = placed.filter((p) => p.taskCapacity === 'ec2').map((p) => p.job.name);
  if (onEc2.length > 0) reasons.push(`EC2-capacity tasks (${onEc2.join(', ')}) run`);
  if (plan.kafkaInVpc) {
    const kafkaJobs = placed.filter((p) => p.job.needs.includes('kafka')).map((p) => p.job.name);
    if (kafkaJobs.length > 0) reasons.push(`Kafka is in a VPC, so ${kafkaJobs.join(', ')} run there`);
  }
  return reasons;
}

/**
 * The services the jobs placed in the task subnets call, as VPC endpoint service suffixes: what private subnets
 * without a NAT gateway need an endpoint for.
 */
export function endpointServicesNeeded(plan: NetworkPlan, placed: readonly PlacedJob[]): string[] {
  const services = new Set<string>();
  for (const { job, lambda, taskCapacity } of placed) {
    const inSubnets = taskCapacity !== undefined || (lambda && lambdaInVpc(plan, job));
    if (!inSubnets) continue;
    // A task pulls its image (ECR, layers from S3) and ships its logs; ECS injects the Kafka secret.
    if (taskCapacity !== undefined)
      for (const service of ['ecr.api', 'ecr.dkr', 's3', 'logs']) services.add(service);
    if (taskCapacity === 'ec2')
      for (const service of ['ecs', 'ecs-agent', 'ecs-telemetry']) services.add(service);
    for (const need of job.needs) {
      if (need.startsWith('audienceBucket:')) services.add('s3');
      if (need.startsWith('statusTable:')) services.add('dynamodb');
      if (need === 'kafka') services.add('secretsmanager');
    }
  }
  return [...services].sort();
}

function hasNat(subnets: TaskSubnets): boolean {
  return subnets.kind === 'new-vpc' && subnets.natGateway;
}

function omitVpc<T extends { vpc: string }>(network: T): Omit<T, 'vpc'> {
  const { vpc: _vpc, ...rest } = network;
  return rest;
}
