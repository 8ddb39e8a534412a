import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type { RuntimeConfig } from './config.ts';
import { type KafkaClient, kafkaClient } from './kafka-client.ts';
import type { JobLogger } from './logger.ts';
import { noHeartbeat } from './task-token.ts';

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
  /**
   * Tells the step that waits for this job (a `.waitForTaskToken` step with `heartbeatSeconds`) that it is alive;
   * throttled, so call it as often as progress is made. Does nothing when the step gave the job no task token;
   * rejects when the step is already over (timed out), so the job stops.
   */
  readonly heartbeat: () => Promise<void>;
  /**
   * Milliseconds left before the platform stops the job (a Lambda invocation's remaining time); undefined where
   * nothing stops it (Fargate).
   */
  readonly remainingMs?: () => number;
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
export function jobDeps(
  config: RuntimeConfig,
  log: JobLogger,
  clientId: string,
  heartbeat: () => Promise<void> = noHeartbeat,
): JobDeps {
  return {
    s3: s3Client(config),
    dynamodb: dynamodbClient(config),
    kafka: kafkaClient(config, clientId),
    log,
    now: () => Date.now(),
    config,
    heartbeat,
  };
}

/** Releases the clients' sockets so a process can exit. */
export function closeJobDeps(deps: JobDeps): void {
  deps.s3.destroy();
  deps.dynamodb.destroy();
}
