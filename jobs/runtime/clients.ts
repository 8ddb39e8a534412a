import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { RuntimeConfig } from './config.ts';
import { type KafkaClient, kafkaClient } from './kafka-client.ts';
import type { JobLogger } from './logger.ts';

/** The I/O clients and settings every job gets injected; tests build their own. */
export interface JobDeps {
  readonly s3: S3Client;
  readonly dynamodb: DynamoDBClient;
  /** Kafka settings and the KafkaJS-compatible client; native clients are built from its `config`. */
  readonly kafka: KafkaClient;
  readonly log: JobLogger;
  /** Milliseconds since the epoch; injected so tests can control time. */
  readonly now: () => number;
  readonly config: RuntimeConfig;
}

/** Builds an S3 client; against a local endpoint it uses path-style addressing. */
export function s3Client(config: RuntimeConfig): S3Client {
  return new S3Client({
    region: config.awsRegion,
    ...(config.awsEndpoint ? { endpoint: config.awsEndpoint, forcePathStyle: true } : {}),
  });
}

/** Builds a DynamoDB client for the configured region/endpoint. */
export function dynamodbClient(config: RuntimeConfig): DynamoDBClient {
  return new DynamoDBClient({
    region: config.awsRegion,
    ...(config.awsEndpoint ? { endpoint: config.awsEndpoint } : {}),
  });
}

/** Builds every client a job needs from the runtime configuration. */
export function jobDeps(config: RuntimeConfig, log: JobLogger, clientId: string): JobDeps {
  return {
    s3: s3Client(config),
    dynamodb: dynamodbClient(config),
    kafka: kafkaClient(config, clientId),
    log,
    now: () => Date.now(),
    config,
  };
}

/** Releases the clients' sockets so a process can exit. */
export function closeJobDeps(deps: JobDeps): void {
  deps.s3.destroy();
  deps.dynamodb.destroy();
}
