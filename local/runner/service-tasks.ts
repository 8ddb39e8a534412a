import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { namedError } from './named-error.ts';

/** A call of one service action: the request as the state passes it, the response as Step Functions returns it. */
type ServiceCall = (
  clients: ServiceClients,
  request: Record<string, unknown>,
) => Promise<Record<string, unknown>>;

/** Metadata Step Functions adds to an optimized integration's response. */
const SDK_METADATA = {
  SdkHttpMetadata: { HttpStatusCode: 200 },
  SdkResponseMetadata: { RequestId: 'local' },
};

/** JSON that Step Functions sends as text (SNS `Message`, SQS `MessageBody`, EventBridge `Detail`). */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The SDK response without the SDK's own `$metadata`. */
function body(response: object): Record<string, unknown> {
  const { $metadata: _metadata, ...rest } = response as Record<string, unknown>;
  return rest;
}

/**
 * The integrations the runner serves against the AWS emulator, by `service:action` (the resource ARN without
 * `arn:aws:states:::` and the pattern). Error names follow Step Functions: `<Service>.<Exception>`.
 */
const SERVICE_CALLS: Readonly<Record<string, { prefix: string; call: ServiceCall }>> = {
  'sns:publish': {
    prefix: 'SNS',
    call: async ({ sns }, request) => ({
      ...body(await sns.send(new PublishCommand({ ...request, Message: asText(request.Message) } as never))),
      ...SDK_METADATA,
    }),
  },
  'sqs:sendMessage': {
    prefix: 'SQS',
    call: async ({ sqs }, request) => ({
      ...body(
        await sqs.send(
          new SendMessageCommand({ ...request, MessageBody: asText(request.MessageBody) } as never),
        ),
      ),
      ...SDK_METADATA,
    }),
  },
  'dynamodb:getItem': {
    prefix: 'DynamoDB',
    call: async ({ dynamodb }, request) => ({
      ...body(await dynamodb.send(new GetItemCommand(request as never))),
      ...SDK_METADATA,
    }),
  },
  'dynamodb:putItem': {
    prefix: 'DynamoDB',
    call: async ({ dynamodb }, request) => ({
      ...body(await dynamodb.send(new PutItemCommand(request as never))),
      ...SDK_METADATA,
    }),
  },
  'dynamodb:updateItem': {
    prefix: 'DynamoDB',
    call: async ({ dynamodb }, request) => ({
      ...body(await dynamodb.send(new UpdateItemCommand(request as never))),
      ...SDK_METADATA,
    }),
  },
  'events:putEvents': {
    prefix: 'EventBridge',
    call: async ({ events }, request) => {
      const entries = (request.Entries as Record<string, unknown>[]).map((e) => ({
        ...e,
        Detail: asText(e.Detail),
      }));
      return {
        ...body(await events.send(new PutEventsCommand({ Entries: entries } as never))),
        ...SDK_METADATA,
      };
    },
  },
  'aws-sdk:s3:getObject': {
    prefix: 'S3',
    call: async ({ s3 }, request) => {
      const response = await s3.send(new GetObjectCommand(request as never));
      // Step Functions returns the body as text.
      return { ...body(response), Body: (await response.Body?.transformToString()) ?? '' };
    },
  },
  'aws-sdk:s3:headObject': {
    prefix: 'S3',
    call: async ({ s3 }, request) => body(await s3.send(new HeadObjectCommand(request as never))),
  },
  'aws-sdk:s3:putObject': {
    prefix: 'S3',
    call: async ({ s3 }, request) => body(await s3.send(new PutObjectCommand(request as never))),
  },
};

/** The service integrations the runner serves (`service:action`). */
export const SERVED_INTEGRATIONS: readonly string[] = Object.keys(SERVICE_CALLS);

/** The clients of the served services, against the endpoint of the runtime configuration (the emulator locally). */
export class ServiceClients {
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  readonly events: EventBridgeClient;
  readonly s3: S3Client;

  constructor(env: Readonly<Record<string, string>>) {
    const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
    const endpoint = env.AWS_ENDPOINT_URL || undefined;
    const config = { region, ...(endpoint ? { endpoint } : {}) };
    this.sns = new SNSClient(config);
    this.sqs = new SQSClient(config);
    this.dynamodb = new DynamoDBClient(config);
    this.events = new EventBridgeClient(config);
    this.s3 = new S3Client({ ...config, ...(endpoint ? { forcePathStyle: true } : {}) });
  }

  /** Releases the clients' sockets. */
  close(): void {
    for (const client of [this.sns, this.sqs, this.dynamodb, this.events, this.s3]) client.destroy();
  }
}

/**
 * The local stand-in of a service integration (`sns:publish`, `dynamodb:getItem`, `aws-sdk:s3:getObject`, …):
 * makes the call against the emulator and answers as Step Functions does; an SDK error fails the state under
 * `<Service>.<Exception>` (`S3.NoSuchKeyException`, `DynamoDB.ConditionalCheckFailedException`).
 */
export function serviceTask(
  state: string,
  integration: string,
  clients: () => ServiceClients,
): (parameters: unknown) => Promise<unknown> {
  const served = SERVICE_CALLS[integration];
  if (!served) throw new Error(`state ${state}: ${integration} is not served by the local runner`);
  return async (parameters) => {
    try {
      return await served.call(clients(), (parameters ?? {}) as Record<string, unknown>);
    } catch (error) {
      const name = (error as Error).name ?? 'Error';
      throw namedError(
        `${served.prefix}.${name.endsWith('Exception') ? name : `${name}Exception`}`,
        (error as Error).message ?? String(error),
      );
    }
  };
}
