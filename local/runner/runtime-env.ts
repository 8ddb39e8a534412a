/**
 * Variables a task definition (Fargate) or function configuration (Lambda) sets on AWS: the runtime
 * configuration of `jobs/runtime/config.ts`, the AWS endpoint and credentials, and what Node needs to start.
 */
export const RUNTIME_ENV_NAMES = [
  'KAFKA_BROKERS',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'KAFKA_TLS',
  'AUDIENCE_TOPIC',
  'AUDIENCE_TOPIC_PARTITIONS',
  'STATUS_TABLE',
  'IMPORT_CHUNK_ROWS',
  'PROGRESS_INTERVAL_MS',
  'END_MARKER_TIMEOUT_MS',
  'IMPORT_LAMBDA_MAX_BYTES',
  'IMPORT_SHARD_BYTES',
  'IMPORT_MAX_SHARDS',
  'IMPORT_MAX_CONCURRENCY',
  'TASK_HEARTBEAT_INTERVAL_MS',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_SFN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'PATH',
  'HOME',
  'TMPDIR',
  'TZ',
  'LANG',
] as const;

/** Progress every second locally (AWS keeps the 10 s default so logs stay small). */
const LOCAL_DEFAULTS: Readonly<Record<string, string>> = { PROGRESS_INTERVAL_MS: '1000' };

/** The runtime environment of every job of a local run: the named variables of `source`, over the local defaults. */
export function runtimeEnv(
  source: Record<string, string | undefined> = process.env,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = { ...LOCAL_DEFAULTS };
  for (const name of RUNTIME_ENV_NAMES) {
    const value = source[name];
    if (value !== undefined && value !== '') env[name] = value;
  }
  return { ...env, ...overrides };
}
