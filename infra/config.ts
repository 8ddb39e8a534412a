import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';
import { IMPORT_PLAN_DEFAULTS } from '../jobs/runtime/config.ts';

/** The project's configuration namespace: keys are `audience-io:<key>` in `Pulumi.<stack>.yaml`. */
export const CONFIG_NAMESPACE = 'audience-io';

/** Log retention values CloudWatch Logs accepts, in days. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Where a Fargate-declared job's tasks run: Fargate, Fargate Spot or the optional EC2 capacity provider. */
export const TaskCapacity = z.enum(['fargate', 'fargate-spot', 'ec2']);
export type TaskCapacity = z.infer<typeof TaskCapacity>;

/** A Lambda job's overrides; absent fields keep the job declaration's `resources.lambda`. */
const LambdaOverride = z.strictObject({
  /** Lambda memory, in MiB (128-10240). */
  memoryMiB: z.number().int().positive().optional(),
  /** Lambda timeout in seconds (1-900). */
  timeoutSeconds: z.number().int().min(1).max(900).optional(),
});

/** A task job's overrides; absent fields keep the job declaration's `resources.fargate`. */
const TaskOverride = z.strictObject({
  /** Task CPU units (1024 = 1 vCPU). */
  cpu: z.number().int().positive().optional(),
  /** Task memory, in MiB. */
  memoryMiB: z.number().int().positive().optional(),
  /** Capacity that runs the job's tasks. @default 'fargate' */
  capacity: TaskCapacity.optional(),
});

/**
 * Per-job overrides, one section per executor, so a job that runs on both (Lambda for small inputs, a task for
 * large ones) is sized for each.
 */
export const JobOverride = z.strictObject({
  lambda: LambdaOverride.optional(),
  fargate: TaskOverride.optional(),
});
export type JobOverride = z.infer<typeof JobOverride>;
export type LambdaOverride = z.infer<typeof LambdaOverride>;
export type TaskOverride = z.infer<typeof TaskOverride>;

/** Kafka SASL credentials: a reference to an existing Secrets Manager secret, or a user name plus a Pulumi secret. */
const KafkaSasl = z.union([
  z.strictObject({
    mechanism: z.enum(['scram-sha-512', 'scram-sha-256', 'plain']),
    /** Existing secret holding JSON `{"username": …, "password": …}`. */
    secretArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/, 'a Secrets Manager secret ARN'),
  }),
  z.strictObject({
    mechanism: z.enum(['scram-sha-512', 'scram-sha-256', 'plain']),
    /** User name; the password comes from the secret key `audience-io:kafkaSaslPassword`. */
    username: z.string().min(1),
  }),
]);

/** The VPC the tasks run in: the account's default VPC or a new one without NAT gateways unless asked for. */
const Network = z.discriminatedUnion('vpc', [
  z.strictObject({ vpc: z.literal('default') }),
  z.strictObject({
    vpc: z.literal('new'),
    cidrBlock: z
      .string()
      .regex(/^\d+\.\d+\.\d+\.\d+\/\d+$/, 'a CIDR block')
      .default('10.0.0.0/16'),
    availabilityZones: z.number().int().min(1).max(4).default(2),
    /** One NAT gateway lets tasks run in private subnets; it costs money every hour, idle or not. */
    natGateway: z.boolean().default(false),
  }),
]);

const SubnetId = z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'a subnet id');
const SecurityGroupId = z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'a security group id');

/**
 * How the jobs reach Kafka. `public`: the brokers answer on the internet (Lambda jobs run outside any VPC).
 * `vpc`: only inside a VPC (MSK with SASL/SCRAM on 9096): every job that talks to Kafka, Lambda included, runs in
 * `subnetIds` (or the `network`'s task subnets) without a public IP, so those subnets need a NAT gateway or VPC
 * endpoints; `securityGroupIds` are added to the jobs' own group (e.g. one the brokers admit).
 */
const KafkaNetwork = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('public') }),
  z.strictObject({
    mode: z.literal('vpc'),
    subnetIds: z.array(SubnetId).min(1).optional(),
    securityGroupIds: z.array(SecurityGroupId).default([]),
  }),
]);

/** The optional EC2 capacity provider for jobs larger than Fargate allows; it scales from zero instances. */
const Ec2Capacity = z.strictObject({
  instanceType: z.string().regex(/^[a-z0-9]+\.[a-z0-9]+$/, 'an EC2 instance type such as r6i.4xlarge'),
  maxInstances: z.number().int().min(1).max(100),
});

/**
 * The import plan's thresholds (`plan-import`): up to `lambdaMaxBytes` an import runs on Lambda, up to
 * `shardBytes` on one Fargate task, beyond that on `min(maxShards, ceil(size / shardBytes))` tasks over byte
 * ranges, `maxConcurrency` at once. Defaults and their reasons: jobs/README.md.
 */
const ImportPlanConfig = z.strictObject({
  lambdaMaxBytes: z.number().int().positive().default(IMPORT_PLAN_DEFAULTS.lambdaMaxBytes),
  shardBytes: z.number().int().positive().default(IMPORT_PLAN_DEFAULTS.shardBytes),
  // The shard list travels in the execution's state, which Step Functions limits to 256 KiB.
  maxShards: z.number().int().min(1).max(1000).default(IMPORT_PLAN_DEFAULTS.maxShards),
  // A distributed map runs at most 10,000 child executions at once.
  maxConcurrency: z.number().int().min(1).max(10_000).default(IMPORT_PLAN_DEFAULTS.maxConcurrency),
});
export type ImportPlanConfig = z.infer<typeof ImportPlanConfig>;

/** Every project key, with its schema; a key absent here is rejected as unknown. */
const projectKeys = {
  kafkaBrokers: z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'host:port')).min(1),
  audienceTopic: z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a Kafka topic name'),
  kafkaSasl: KafkaSasl,
  kafkaNetwork: KafkaNetwork.default({ mode: 'public' }),
  network: Network.default({ vpc: 'default' }),
  logRetentionDays: z
    .number()
    .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
      message: `one of ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(30),
  // OFF is not offered: a failed execution must leave a log line.
  stateMachineLogLevel: z.enum(['ALL', 'ERROR', 'FATAL']).default('ALL'),
  rejectsExpirationDays: z.number().int().min(1).default(30),
  bucketVersioning: z.boolean().default(true),
  alarmEmail: z.email().optional(),
  ec2Capacity: Ec2Capacity.optional(),
  import: ImportPlanConfig.default(IMPORT_PLAN_DEFAULTS),
  jobs: z.record(z.string(), JobOverride).default({}),
} as const;

/** Keys whose value is a plain string; every other key holds JSON (objects, arrays, numbers, booleans). */
const STRING_KEYS = new Set(['audienceTopic', 'stateMachineLogLevel', 'alarmEmail']);

type ProjectKeys = { [K in keyof typeof projectKeys]: z.output<(typeof projectKeys)[K]> };

/** The platform's typed configuration, read once by {@link readPlatformConfig}. */
export interface PlatformConfig extends ProjectKeys {
  /** `aws:region`. */
  readonly region: string;
  /** `audience-io:kafkaSaslPassword`, present when `kafkaSasl` names a user instead of a secret ARN. */
  readonly kafkaSaslPassword: pulumi.Output<string> | undefined;
}

/** A configuration key is missing or malformed; the message names the key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Reads and validates the whole configuration once. Throws a {@link ConfigError} naming the key when a
 * required key is missing, a value is malformed, or an unknown `audience-io:` key is set (likely a typo).
 */
export function readPlatformConfig(): PlatformConfig {
  const project = new pulumi.Config(CONFIG_NAMESPACE);
  const region = new pulumi.Config('aws').get('region');
  if (region === undefined || region === '') {
    throw new ConfigError(
      `Configuration key 'aws:region' is missing: run \`pulumi config set aws:region <region>\``,
    );
  }
  rejectUnknownKeys();
  const values: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(projectKeys)) {
    values[key] = parseKey(key, schema, project.get(key));
  }
  const typed = values as ProjectKeys;
  const kafkaSaslPassword = project.getSecret('kafkaSaslPassword');
  if ('username' in typed.kafkaSasl && kafkaSaslPassword === undefined) {
    throw new ConfigError(
      `Configuration key '${CONFIG_NAMESPACE}:kafkaSaslPassword' is missing: kafkaSasl names a username, so run ` +
        `\`pulumi config set --secret ${CONFIG_NAMESPACE}:kafkaSaslPassword <password>\``,
    );
  }
  return {
    ...typed,
    region,
    kafkaSaslPassword: 'username' in typed.kafkaSasl ? kafkaSaslPassword : undefined,
  };
}

function parseKey(key: string, schema: z.ZodType, raw: string | undefined): unknown {
  const fullKey = `${CONFIG_NAMESPACE}:${key}`;
  let value: unknown = raw;
  if (raw !== undefined && !STRING_KEYS.has(key)) {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ConfigError(
        `Configuration key '${fullKey}' is malformed: expected JSON, got ${JSON.stringify(raw)}`,
      );
    }
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  if (raw === undefined) {
    throw new ConfigError(
      `Configuration key '${fullKey}' is missing: set it in Pulumi.<stack>.yaml (see Pulumi.dev.yaml)`,
    );
  }
  const problems = parsed.error.issues.map((issue) => {
    const where = issue.path.length > 0 ? `${fullKey}.${issue.path.join('.')}` : fullKey;
    return `${where}: ${issue.message}`;
  });
  throw new ConfigError(`Configuration key '${fullKey}' is malformed: ${problems.join('; ')}`);
}

function rejectUnknownKeys(): void {
  const known = new Set([...Object.keys(projectKeys), 'kafkaSaslPassword']);
  for (const fullKey of Object.keys(pulumi.runtime.allConfig())) {
    const [namespace, key] = fullKey.split(':');
    if (namespace === CONFIG_NAMESPACE && key !== undefined && !known.has(key)) {
      throw new ConfigError(
        `Configuration key '${fullKey}' is unknown: the known keys are ${[...known].join(', ')}`,
      );
    }
  }
}
