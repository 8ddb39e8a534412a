import { join } from 'node:path';
import { kafkaAnswers, localKafka } from './kafka.ts';
import {
  ensureRunning,
  type LocalProcessService,
  runningRecord,
  type ServiceName,
  stopRunning,
} from './local-process.ts';
import { withFileLock } from './lock.ts';
import { httpAnswers, localMoto } from './moto.ts';
import { type LocalServicesOptions, type ResolvedOptions, resolveOptions } from './options.ts';

export type { ServiceName } from './local-process.ts';
export type { LocalServicesOptions } from './options.ts';

/** Where the services are, once `ensureLocalServices` returns. */
export interface LocalServices {
  /** Kafka bootstrap brokers (`host:port`). */
  kafkaBrokers: string[];
  /** Endpoint of the AWS APIs (S3, DynamoDB, …). */
  awsEndpoint: string;
  region: string;
  /** Services this call started; empty when every service was external or already running. */
  started: ServiceName[];
}

/** Where one service runs, as `localServicesStatus` reports it. */
export interface ServiceStatus {
  name: ServiceName;
  /** external: named by KAFKA_BROKERS / AWS_ENDPOINT_URL; local: run from the state folder; stopped: neither. */
  source: 'external' | 'local' | 'stopped';
  /** Brokers or endpoint URL clients use (for a stopped service, the one it would get). */
  address: string;
  /** Whether the service answered a probe just now. */
  answering: boolean;
  pid?: number;
  logFile?: string;
  startedAt?: string;
}

/** Environment variables naming an external service, per service. */
const EXTERNAL_ENV: Record<ServiceName, string> = { kafka: 'KAFKA_BROKERS', moto: 'AWS_ENDPOINT_URL' };

/** Values this process wrote into an environment, so they are not mistaken later for external services. */
const valuesWeSet = new WeakMap<NodeJS.ProcessEnv, Map<string, string>>();

/** A first start may download jars and a virtualenv: waiting for another process's start can take this long. */
const LOCK_TIMEOUT_MS = 15 * 60_000;

/**
 * Makes Kafka and the AWS APIs available and says where: a service named in the environment
 * (KAFKA_BROKERS, AWS_ENDPOINT_URL) is used as it is; otherwise the one run from `.local/` is reused when
 * alive, or installed (once, cached) and started on loopback. Sets KAFKA_BROKERS, AWS_ENDPOINT_URL,
 * AWS_REGION and dummy credentials (when unset) in the environment, so child processes inherit them.
 */
export async function ensureLocalServices(opts: LocalServicesOptions = {}): Promise<LocalServices> {
  const options = resolveOptions(opts);
  const { env } = options;
  const services = localServices(options).filter((service) => !isExternal(env, service.name));
  const outcomes =
    services.length === 0
      ? []
      : await withFileLock(lockFile(options), LOCK_TIMEOUT_MS, () =>
          allOrFirstError(services.map((service) => ensureRunning(service, options.log))),
        );
  const started = services.filter((_, index) => outcomes[index] === 'started').map((service) => service.name);
  const kafkaBrokers = isExternal(env, 'kafka')
    ? parseBrokers(env.KAFKA_BROKERS!)
    : [`${options.host}:${options.kafkaPort}`];
  const awsEndpoint = isExternal(env, 'moto') ? env.AWS_ENDPOINT_URL! : motoUrl(options);
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  setOwnValue(env, 'KAFKA_BROKERS', kafkaBrokers.join(','));
  setOwnValue(env, 'AWS_ENDPOINT_URL', awsEndpoint);
  env.AWS_REGION = region;
  // moto accepts any credentials; the SDK only needs some to sign requests.
  env.AWS_ACCESS_KEY_ID ||= 'test';
  env.AWS_SECRET_ACCESS_KEY ||= 'test';
  return { kafkaBrokers, awsEndpoint, region, started };
}

/**
 * Stops the services run from `.local/` (never external ones) and forgets the addresses this process set.
 * Returns the services it stopped.
 */
export async function stopLocalServices(opts: LocalServicesOptions = {}): Promise<ServiceName[]> {
  const options = resolveOptions(opts);
  const services = localServices(options);
  const stopped = await withFileLock(lockFile(options), LOCK_TIMEOUT_MS, () =>
    allOrFirstError(services.map((service) => stopRunning(service))),
  );
  const own = valuesWeSet.get(options.env);
  for (const name of Object.values(EXTERNAL_ENV)) {
    if (own?.get(name) !== undefined && options.env[name] === own.get(name)) delete options.env[name];
    own?.delete(name);
  }
  return services.filter((_, index) => stopped[index]).map((service) => service.name);
}

/** Where each service runs now, and whether it answers. */
export async function localServicesStatus(opts: LocalServicesOptions = {}): Promise<ServiceStatus[]> {
  const options = resolveOptions(opts);
  return Promise.all(localServices(options).map((service) => statusOf(service, options)));
}

async function statusOf(service: LocalProcessService, options: ResolvedOptions): Promise<ServiceStatus> {
  const { env } = options;
  const name = service.name;
  if (isExternal(env, name)) {
    const address = env[EXTERNAL_ENV[name]]!;
    return { name, source: 'external', address, answering: await answers(name, address) };
  }
  const running = await runningRecord(service);
  const address =
    name === 'kafka'
      ? `${service.host}:${running?.port ?? service.port.port}`
      : `http://${service.host}:${running?.port ?? service.port.port}`;
  if (!running) return { name, source: 'stopped', address, answering: false };
  return {
    name,
    source: 'local',
    address,
    answering: await answers(name, address),
    pid: running.pid,
    logFile: running.logFile,
    startedAt: running.startedAt,
  };
}

function answers(name: ServiceName, address: string): Promise<boolean> {
  return name === 'kafka' ? kafkaAnswers(parseBrokers(address)) : httpAnswers(address);
}

function localServices(options: ResolvedOptions): LocalProcessService[] {
  return [localKafka(options), localMoto(options)];
}

function lockFile(options: ResolvedOptions): string {
  return join(options.stateDir, 'services.lock');
}

function motoUrl(options: ResolvedOptions): string {
  return `http://${options.host}:${options.motoPort}`;
}

function isExternal(env: NodeJS.ProcessEnv, name: ServiceName): boolean {
  const variable = EXTERNAL_ENV[name];
  const value = env[variable];
  return value !== undefined && value !== '' && valuesWeSet.get(env)?.get(variable) !== value;
}

function setOwnValue(env: NodeJS.ProcessEnv, name: string, value: string): void {
  if (env[name] === value) return;
  env[name] = value;
  const own = valuesWeSet.get(env) ?? new Map<string, string>();
  own.set(name, value);
  valuesWeSet.set(env, own);
}

function parseBrokers(list: string): string[] {
  const brokers = list
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  if (brokers.length === 0)
    throw new Error(`KAFKA_BROKERS="${list}" names no broker (expected host:port,...)`);
  return brokers;
}

/** Waits for every task (so none is left running behind a lock we release), then throws the first error. */
async function allOrFirstError<T>(tasks: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(tasks);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}
