import type { GlobalConfig } from '@confluentinc/kafka-javascript';
import type { ConsumerOptions, SASLMechanismValue } from '@platformatic/kafka';

/**
 * How the export's readers reach Kafka with @platformatic/kafka: the brokers, TLS and SASL of the job's
 * librdkafka settings (so both clients always talk to the same cluster the same way). Plain data: it is handed
 * to worker threads.
 */
export interface ReaderConnection {
  readonly clientId: string;
  readonly bootstrapBrokers: string[];
  readonly tls: boolean;
  readonly sasl: { mechanism: SASLMechanismValue; username: string; password: string } | undefined;
}

const SASL_MECHANISMS: Record<string, SASLMechanismValue> = {
  PLAIN: 'PLAIN',
  'SCRAM-SHA-256': 'SCRAM-SHA-256',
  'SCRAM-SHA-512': 'SCRAM-SHA-512',
};

/** The readers' connection from the job's librdkafka properties (`bootstrap.servers`, `security.protocol`, `sasl.*`). */
export function readerConnection(config: Readonly<GlobalConfig>): ReaderConnection {
  const protocol = String(config['security.protocol'] ?? 'plaintext').toLowerCase();
  const mechanism = String(config['sasl.mechanisms'] ?? '').toUpperCase();
  const sasl = protocol.startsWith('sasl_') ? SASL_MECHANISMS[mechanism] : undefined;
  if (protocol.startsWith('sasl_') && !sasl) throw new Error(`SASL mechanism ${mechanism} is not supported`);
  return {
    clientId: String(config['client.id'] ?? 'export-audience'),
    bootstrapBrokers: String(config['bootstrap.servers'] ?? '')
      .split(',')
      .map((broker) => broker.trim())
      .filter(Boolean),
    tls: protocol.endsWith('ssl'),
    sasl: sasl
      ? {
          mechanism: sasl,
          username: String(config['sasl.username'] ?? ''),
          password: String(config['sasl.password'] ?? ''),
        }
      : undefined,
  };
}

/** The @platformatic/kafka client options of a reader connection. */
export function readerClientOptions(
  connection: ReaderConnection,
): Pick<ConsumerOptions<Buffer, Buffer, Buffer, Buffer>, 'clientId' | 'bootstrapBrokers' | 'tls' | 'sasl'> {
  return {
    clientId: connection.clientId,
    bootstrapBrokers: connection.bootstrapBrokers,
    ...(connection.tls ? { tls: {} } : {}),
    ...(connection.sasl ? { sasl: connection.sasl } : {}),
  };
}
