import rdkafka, {
  type ConsumerGlobalConfig,
  type GlobalConfig,
  type KafkaConsumer,
  type KafkaJS,
  type LibrdKafkaError,
  type Producer,
  type ProducerGlobalConfig,
  type ProducerTopicConfig,
} from '@confluentinc/kafka-javascript';
import type { RuntimeConfig } from './config.ts';

/** The Kafka settings of a job and the clients built from them (librdkafka, through @confluentinc/kafka-javascript). */
export interface KafkaClient {
  /** librdkafka properties every client shares: brokers, TLS, SASL, client id, logging. */
  readonly config: Readonly<GlobalConfig>;
  /** The KafkaJS-compatible API over the same settings: admin, end markers, tests. */
  readonly kafkajs: KafkaJS.Kafka;
}

/** librdkafka's syslog levels; warnings and worse become JSON lines. */
const LOG_WARNING = 4;

/** One JSON line on stderr (stdout ends with the job summary, so the client's logs never go there). */
function logLine(level: string, message: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level, event: 'kafka', message, ...fields })}\n`,
  );
}

/** The KafkaJS-compatible layer's logger interface, writing JSON lines; debug and info are dropped. */
function kafkajsLogger(): KafkaJS.Logger {
  const logger: KafkaJS.Logger = {
    error: (message, extra) => logLine('error', message, extra as Record<string, unknown>),
    warn: (message, extra) => logLine('warn', message, extra as Record<string, unknown>),
    info: () => undefined,
    debug: () => undefined,
    namespace: () => logger,
    setLogLevel: () => undefined,
  };
  return logger;
}

/** The librdkafka properties of the configured cluster (security.protocol follows TLS and SASL). */
export function kafkaGlobalConfig(config: RuntimeConfig, clientId: string): GlobalConfig {
  const protocol = `${config.kafkaSasl ? 'sasl_' : ''}${config.kafkaTls ? 'ssl' : 'plaintext'}` as const;
  return {
    'bootstrap.servers': config.kafkaBrokers.join(','),
    'client.id': clientId,
    'security.protocol': protocol,
    ...(config.kafkaSasl
      ? {
          'sasl.mechanisms': config.kafkaSasl.mechanism.toUpperCase(),
          'sasl.username': config.kafkaSasl.username,
          'sasl.password': config.kafkaSasl.password,
        }
      : {}),
    'socket.connection.setup.timeout.ms': 10_000,
    'reconnect.backoff.max.ms': 10_000,
  };
}

/** Builds the job's Kafka client from the runtime configuration. */
export function kafkaClient(config: RuntimeConfig, clientId: string): KafkaClient {
  const global = kafkaGlobalConfig(config, clientId);
  const kafkajs = new rdkafka.KafkaJS.Kafka({
    ...global,
    // Without a logger of its own the KafkaJS-compatible layer logs to stdout, where the job's summary goes.
    kafkaJS: {
      brokers: config.kafkaBrokers,
      logger: kafkajsLogger(),
      logLevel: rdkafka.KafkaJS.logLevel.WARN,
    },
  });
  return { config: global, kafkajs };
}

/** A Kafka failure as an Error, with librdkafka's code and its fatal / retriable / abortable flags. */
export class KafkaError extends Error {
  override readonly name = 'KafkaError';
  readonly code: number;
  readonly fatal: boolean;
  readonly retriable: boolean;
  readonly abortable: boolean;

  constructor(operation: string, error: LibrdKafkaError | Error) {
    super(`${operation}: ${error.message}`, { cause: error });
    const native = error as Partial<LibrdKafkaError>;
    this.code = typeof native.code === 'number' ? native.code : rdkafka.CODES.ERRORS.ERR_UNKNOWN;
    this.fatal = native.isFatal === true;
    this.retriable = native.isRetriable === true;
    this.abortable = native.isTxnRequiresAbort === true;
  }
}

/** Calls a native method taking a node-style callback and resolves with its result, or rejects with a KafkaError. */
export function nativeCall<T = void>(
  operation: string,
  call: (callback: (error: LibrdKafkaError | null | undefined, result?: T) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    call((error, result) => (error ? reject(new KafkaError(operation, error)) : resolve(result as T)));
  });
}

/** Thrown when a native call outlives the time it was given; the client that made it is not to be used again. */
export class KafkaCallTimedOut extends KafkaError {
  constructor(operation: string, ms: number) {
    super(operation, {
      name: 'Error',
      message: `no answer within ${ms} ms`,
      code: rdkafka.CODES.ERRORS.ERR__TIMED_OUT,
      errno: rdkafka.CODES.ERRORS.ERR__TIMED_OUT,
      origin: 'local',
      isRetriable: true,
    });
  }
}

/**
 * A native call that fails with KafkaCallTimedOut after `ms` whatever librdkafka does: some transactional calls
 * ignore their own timeout when the group coordinator goes away (librdkafka issues 5456 and 5511, open in 2.15).
 */
export function nativeCallWithin<T = void>(
  ms: number,
  operation: string,
  call: (callback: (error: LibrdKafkaError | null | undefined, result?: T) => void) => void,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KafkaCallTimedOut(operation, ms)), ms);
  });
  return Promise.race([nativeCall(operation, call), timedOut]).finally(() => clearTimeout(timer));
}

function forwardLogs(native: Producer | KafkaConsumer, role: string): void {
  // Both emit the same client events; the union's overloaded `on` is not callable as is.
  const client = native as Producer;
  client.on('event.log', (event: { severity: number; fac: string; message: string }) => {
    if (event.severity <= LOG_WARNING)
      logLine(event.severity <= 3 ? 'error' : 'warn', event.message, { client: role, facility: event.fac });
  });
}

/** Connects a native producer (the import's hot path) with the client's settings plus `extra`. */
export async function connectNativeProducer(
  kafka: KafkaClient,
  extra: ProducerGlobalConfig & ProducerTopicConfig,
): Promise<Producer> {
  const producer = new rdkafka.Producer({ ...kafka.config, ...extra });
  forwardLogs(producer, 'producer');
  await nativeCall('connect producer', (done) => producer.connect({ timeout: 30_000 }, (e) => done(e)));
  return producer;
}

/** Connects a native consumer with the client's settings plus `extra` (the export's reader, checkpoint groups). */
export async function connectNativeConsumer(
  kafka: KafkaClient,
  extra: ConsumerGlobalConfig,
): Promise<KafkaConsumer> {
  const consumer = new rdkafka.KafkaConsumer({ ...kafka.config, ...extra }, {});
  forwardLogs(consumer, 'consumer');
  await nativeCall('connect consumer', (done) => consumer.connect({ timeout: 30_000 }, (e) => done(e)));
  return consumer;
}

/**
 * Disconnects a native client, never throwing (used on the way out of a job), and waits at most `ms`: a client with
 * a call stuck in librdkafka may never finish disconnecting, and a new run must not wait on it.
 */
export async function disconnectNative(client: Producer | KafkaConsumer, ms = 30_000): Promise<void> {
  if (!client.isConnected()) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((resolve) => client.disconnect(() => resolve())),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
