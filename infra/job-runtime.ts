import * as pulumi from '@pulumi/pulumi';
import type { AnyJob } from '../dsl/job.ts';
import type { ImportPlanThresholds } from '../jobs/runtime/config.ts';
import {
  METRICS_NAMESPACE_VARIABLE,
  type MetricDefinition,
  metricDefinitions,
} from '../jobs/runtime/metrics.ts';

/** What the platform tells a job at run time, besides its input. */
export interface RuntimeTargets {
  readonly region: string;
  readonly kafkaBrokers: readonly string[];
  readonly audienceTopic: string;
  readonly kafkaSaslMechanism: string;
  readonly kafkaSecretArn: pulumi.Input<string>;
  readonly tableName: pulumi.Input<string>;
  /** CloudWatch namespace of the jobs' Embedded Metric Format metrics. */
  readonly metricsNamespace: string;
  /** Thresholds of the import plan, for jobs with the `importPlan` setting. */
  readonly importPlan: ImportPlanThresholds;
}

/** The metrics a job's runs emit, from the fields of its output schema (none for a job without throughput). */
export function jobMetricDefinitions(job: AnyJob): MetricDefinition[] {
  const shape = (job.output as { shape?: Record<string, unknown> }).shape;
  return metricDefinitions(shape ? Object.keys(shape) : []);
}

/** A job's environment: plain variables, and secrets that only ECS may resolve into variables. */
export interface JobEnvironment {
  readonly variables: Record<string, pulumi.Input<string>>;
  /** ECS task-definition `secrets`: the agent reads `valueFrom` and sets `name`; the value never sits in config. */
  readonly secrets: { name: string; valueFrom: pulumi.Input<string> }[];
}

/** Memory per vCPU of a Lambda function: Lambda gives a function one vCPU per 1,769 MB. */
const LAMBDA_MIB_PER_VCPU = 1769;

/** The vCPUs a function of `memoryMiB` or a task of `cpu` units has (fractions counted down, at least 1). */
export function vcpusOf(sizing: { readonly cpu: number } | { readonly memoryMiB: number }): number {
  const vcpus = 'cpu' in sizing ? sizing.cpu / 1024 : sizing.memoryMiB / LAMBDA_MIB_PER_VCPU;
  return Math.max(1, Math.floor(vcpus));
}

/**
 * The environment a job gets, derived from its needs and settings and the vCPUs of where it runs. On Lambda the
 * SASL secret is passed by ARN (`KAFKA_SASL_SECRET_ARN`) for the job to read at start, because Lambda has no
 * secret injection.
 */
export function jobEnvironment(
  job: AnyJob,
  executor: 'lambda' | 'task',
  t: RuntimeTargets,
  vcpus: number,
): JobEnvironment {
  const variables: Record<string, pulumi.Input<string>> = {};
  const secrets: JobEnvironment['secrets'] = [];
  // Lambda reserves AWS_REGION and sets it itself.
  if (executor === 'task') variables.AWS_REGION = t.region;
  if (jobMetricDefinitions(job).length > 0) variables[METRICS_NAMESPACE_VARIABLE] = t.metricsNamespace;
  if (job.settings.includes('importPlan')) {
    variables.IMPORT_LAMBDA_MAX_BYTES = String(t.importPlan.lambdaMaxBytes);
    variables.IMPORT_SHARD_BYTES = String(t.importPlan.shardBytes);
    variables.IMPORT_MAX_SHARDS = String(t.importPlan.maxShards);
    variables.IMPORT_MAX_CONCURRENCY = String(t.importPlan.maxConcurrency);
  }
  // One thread produces, the others parse (the node on a 1-vCPU function or task shares one core with them).
  if (job.settings.includes('parserWorkers'))
    variables.IMPORT_PARSER_WORKERS = String(Math.max(1, vcpus - 1));
  if (job.needs.includes('statusTable:read') || job.needs.includes('statusTable:write')) {
    variables.STATUS_TABLE = t.tableName;
  }
  if (job.needs.includes('kafka')) {
    variables.KAFKA_BROKERS = t.kafkaBrokers.join(',');
    variables.AUDIENCE_TOPIC = t.audienceTopic;
    variables.KAFKA_SASL_MECHANISM = t.kafkaSaslMechanism;
    if (executor === 'lambda') {
      variables.KAFKA_SASL_SECRET_ARN = t.kafkaSecretArn;
    } else {
      secrets.push(
        { name: 'KAFKA_SASL_USERNAME', valueFrom: pulumi.interpolate`${t.kafkaSecretArn}:username::` },
        { name: 'KAFKA_SASL_PASSWORD', valueFrom: pulumi.interpolate`${t.kafkaSecretArn}:password::` },
      );
    }
  }
  return { variables, secrets };
}
