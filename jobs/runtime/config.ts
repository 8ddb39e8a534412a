import os from 'node:os';

/**
 * The thresholds by which the import plan (`plan-import`) picks an executor; Pulumi config `audience-io:import`
 * on AWS, `IMPORT_LAMBDA_MAX_BYTES`, `IMPORT_SHARD_BYTES`, `IMPORT_MAX_SHARDS`, `IMPORT_MAX_CONCURRENCY` here.
 */
export interface ImportPlanThresholds {
  /** Objects up to this size import on Lambda. */
  readonly lambdaMaxBytes: number;
  /** Bytes of one shard; an object up to this size runs as one Fargate task. */
  readonly shardBytes: number;
  /** Most shards of one import. */
  readonly maxShards: number;
  /** Most shard tasks of one import running at once. */
  readonly maxConcurrency: number;
}

/** The thresholds' defaults, justified in the README from measured rows/s and Lambda's 15 minutes. */
export const IMPORT_PLAN_DEFAULTS: ImportPlanThresholds = {
  lambdaMaxBytes: 256 * 1024 * 1024,
  shardBytes: 512 * 1024 * 1024,
  maxShards: 32,
  maxConcurrency: 16,
};

/** Runtime configuration that comes from the environment, not from the job input. */
export interface RuntimeConfig {
  /** Kafka bootstrap brokers. */
  readonly kafkaBrokers: string[];
  /** Topic of user records and end markers. @default 'audience-users' */
  readonly audienceTopic: string;
  /** Partitions of the audience topic when an import has to create it. @default 6 */
  readonly audienceTopicPartitions: number;
  /** DynamoDB job-status table (key `jobId`). @default 'audience-job-status' */
  readonly statusTable: string;
  /** Rows per Kafka transaction (one committed checkpoint each). @default 100000 */
  readonly importChunkRows: number;
  /** Bytes of one block of an import object: the unit of ranged reads and of parsing in a worker. @default 8 MiB */
  readonly importBlockBytes: number;
  /**
   * Worker threads that parse an import's blocks while the job's thread produces; 0 parses in the job's thread.
   * @default the CPUs this process may use, less one for producing (at least 1)
   */
  readonly importParserWorkers: number;
  /** Interval of progress log lines. @default 10000 */
  readonly progressIntervalMs: number;
  /** How long an export waits without progress for the end markers. @default 120000 */
  readonly endMarkerTimeoutMs: number;
  /** AWS endpoint override (moto locally); S3 then uses path-style addressing. */
  readonly awsEndpoint: string | undefined;
  readonly awsRegion: string;
  /** Kafka SASL, when the cluster needs it. */
  readonly kafkaSasl:
    | { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }
    | undefined;
  /**
   * Secrets Manager secret holding `{"username", "password"}` for Kafka SASL, read at start where the platform
   * cannot inject it (Lambda); Fargate tasks get KAFKA_SASL_USERNAME/PASSWORD from the task definition instead.
   */
  readonly kafkaSaslSecretArn: string | undefined;
  /** Kafka TLS. @default false, true when SASL is set */
  readonly kafkaTls: boolean;
  /** Thresholds of the import plan. @default IMPORT_PLAN_DEFAULTS */
  readonly importPlan: ImportPlanThresholds;
}

type Env = Record<string, string | undefined>;

function positiveInt(env: Env, name: string, fallback: number): number {
  return integerAtLeast(1, env, name, fallback);
}

function integerAtLeast(least: number, env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < least) {
    const what = least === 1 ? 'a positive integer' : `an integer of at least ${least}`;
    throw new Error(`${name}: expected ${what}, got '${raw}'`);
  }
  return value;
}

/** Reads the runtime configuration from environment variables; throws naming the variable when one is malformed. */
export function runtimeConfig(env: Env = process.env): RuntimeConfig {
  const mechanism = env.KAFKA_SASL_MECHANISM?.toLowerCase();
  if (mechanism !== undefined && !['plain', 'scram-sha-256', 'scram-sha-512'].includes(mechanism)) {
    throw new Error(
      `KAFKA_SASL_MECHANISM: expected plain, scram-sha-256 or scram-sha-512, got '${mechanism}'`,
    );
  }
  const kafkaSasl = mechanism
    ? {
        mechanism: mechanism as 'plain' | 'scram-sha-256' | 'scram-sha-512',
        username: env.KAFKA_SASL_USERNAME ?? '',
        password: env.KAFKA_SASL_PASSWORD ?? '',
      }
    : undefined;
  return {
    kafkaBrokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    audienceTopic: env.AUDIENCE_TOPIC || 'audience-users',
    audienceTopicPartitions: positiveInt(env, 'AUDIENCE_TOPIC_PARTITIONS', 6),
    statusTable: env.STATUS_TABLE || 'audience-job-status',
    importChunkRows: positiveInt(env, 'IMPORT_CHUNK_ROWS', 100_000),
    importBlockBytes: positiveInt(env, 'IMPORT_BLOCK_BYTES', 8 * 1024 * 1024),
    importParserWorkers: integerAtLeast(
      0,
      env,
      'IMPORT_PARSER_WORKERS',
      Math.max(1, os.availableParallelism() - 1),
    ),
    progressIntervalMs: positiveInt(env, 'PROGRESS_INTERVAL_MS', 10_000),
    endMarkerTimeoutMs: positiveInt(env, 'END_MARKER_TIMEOUT_MS', 120_000),
    awsEndpoint: env.AWS_ENDPOINT_URL || undefined,
    awsRegion: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    kafkaSasl,
    kafkaSaslSecretArn: env.KAFKA_SASL_SECRET_ARN || undefined,
    kafkaTls: env.KAFKA_TLS !== undefined ? env.KAFKA_TLS === 'true' : kafkaSasl !== undefined,
    importPlan: {
      lambdaMaxBytes: positiveInt(env, 'IMPORT_LAMBDA_MAX_BYTES', IMPORT_PLAN_DEFAULTS.lambdaMaxBytes),
      shardBytes: positiveInt(env, 'IMPORT_SHARD_BYTES', IMPORT_PLAN_DEFAULTS.shardBytes),
      maxShards: positiveInt(env, 'IMPORT_MAX_SHARDS', IMPORT_PLAN_DEFAULTS.maxShards),
      maxConcurrency: positiveInt(env, 'IMPORT_MAX_CONCURRENCY', IMPORT_PLAN_DEFAULTS.maxConcurrency),
    },
  };
}
