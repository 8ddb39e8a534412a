import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options of `ensureLocalServices`; each one falls back to an environment variable, then to a default. */
export interface LocalServicesOptions {
  /** Folder that caches downloads and holds data, pid and log files. @default `<repo>/.local` */
  readonly stateDir?: string;
  /** Environment read for external services and written with the resolved addresses. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Kafka client listener port on 127.0.0.1 (`LOCAL_KAFKA_PORT`). @default 19092 */
  readonly kafkaPort?: number;
  /** Kafka KRaft controller listener port on 127.0.0.1 (`LOCAL_KAFKA_CONTROLLER_PORT`). @default 19093 */
  readonly kafkaControllerPort?: number;
  /** moto server port on 127.0.0.1 (`LOCAL_MOTO_PORT`). @default 15000 */
  readonly motoPort?: number;
  /**
   * Smallest S3 multipart part (but the last) that moto accepts (`S3_UPLOAD_PART_MIN_SIZE`).
   * @default 5242880, the real S3 minimum, so an upload that AWS would reject with EntityTooSmall fails here too
   */
  readonly s3UploadPartMinSize?: number;
  /** Progress messages (installing, starting, ready). @default a line on stderr */
  readonly log?: (message: string) => void;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  readonly stateDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly host: string;
  readonly kafkaPort: number;
  readonly kafkaControllerPort: number;
  readonly motoPort: number;
  readonly s3UploadPartMinSize: number;
  readonly log: (message: string) => void;
}

/** The repository root: two folders above this file. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Loopback address every local service listens on. */
export const LOOPBACK = '127.0.0.1';

/** Applies defaults and environment overrides; throws naming the variable when a value is not a valid port. */
export function resolveOptions(opts: LocalServicesOptions = {}): ResolvedOptions {
  const env = opts.env ?? process.env;
  return {
    stateDir: resolve(opts.stateDir ?? env.LOCAL_SERVICES_DIR ?? resolve(repoRoot, '.local')),
    env,
    host: LOOPBACK,
    kafkaPort: opts.kafkaPort ?? portFromEnv(env, 'LOCAL_KAFKA_PORT', 19092),
    kafkaControllerPort: opts.kafkaControllerPort ?? portFromEnv(env, 'LOCAL_KAFKA_CONTROLLER_PORT', 19093),
    motoPort: opts.motoPort ?? portFromEnv(env, 'LOCAL_MOTO_PORT', 15000),
    s3UploadPartMinSize:
      opts.s3UploadPartMinSize ?? positiveIntFromEnv(env, 'S3_UPLOAD_PART_MIN_SIZE', 5 * 1024 * 1024),
    log: opts.log ?? ((message) => process.stderr.write(`[local-services] ${message}\n`)),
  };
}

function portFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const port = positiveIntFromEnv(env, name, fallback);
  if (port > 65535) throw new Error(`${name}=${env[name]} is not a TCP port (1-65535)`);
  return port;
}

function positiveIntFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}=${raw} is not a positive integer`);
  return value;
}
