import type { SendMessageCommandInput } from '@aws-sdk/client-sqs';
import type { Scope } from '../ref.ts';
import type { ScopeOf, ServiceIntegration } from './service.ts';
import {
  type CheckedRequest,
  fieldsFromState,
  type IntegrationFactoryOptions,
  integration,
  type JsonTextField,
  type RequestOf,
  type ResourceField,
  resolved,
} from './service-request.ts';

/** An SQS SendMessage request (the SDK's `SendMessageCommandInput`); `MessageBody` may be JSON, sent as text. */
export type SqsSendMessageRequest<Sc extends Scope> = RequestOf<
  SendMessageCommandInput,
  { QueueUrl: ResourceField<'sqsQueue', Sc>; MessageBody: JsonTextField<Sc> },
  Sc
>;

/** What `sqs:sendMessage` returns. */
export interface SqsSendMessageResult {
  readonly MessageId: string;
  readonly MD5OfMessageBody: string;
  readonly SequenceNumber?: string;
}

/** Errors of the SQS integration (`SQS.` and the SDK exception). */
export type SqsErrorName = `SQS.${string}`;

/**
 * Sends a message to an SQS queue (`arn:aws:states:::sqs:sendMessage`); with `waitForTaskToken`, waits for the
 * consumer to call back. IAM: `sqs:SendMessage` on the queue (its ARN derived from the URL).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-sqs.html
 */
export function sqsSendMessage<const P extends SqsSendMessageRequest<Scope>>(
  request: CheckedRequest<P, SqsSendMessageRequest<Scope>>,
  options?: IntegrationFactoryOptions,
): ServiceIntegration<
  SqsSendMessageResult,
  SqsErrorName,
  'requestResponse' | 'waitForTaskToken',
  ScopeOf<P>
> {
  return integration({
    integration: 'sqs:sendMessage',
    parameters: request as P,
    patterns: ['requestResponse', 'waitForTaskToken'],
    fromState: fieldsFromState(request as P, ['QueueUrl']),
    options,
    permissions: (scope) => [
      {
        Effect: 'Allow',
        Action: ['sqs:SendMessage'],
        Resource: [scope.arn([resolved(scope, request.QueueUrl)], (where, [url]) => queueArn(where, url!))],
      },
    ],
  });
}

/** `https://sqs.<region>.amazonaws.com/<account>/<name>` → `arn:<partition>:sqs:<region>:<account>:<name>`. */
export function queueArn(where: { partition: string; region: string }, url: string): string {
  if (url === '*') return '*';
  const { hostname, pathname } = new URL(url);
  const [account = '', name = ''] = pathname.split('/').filter(Boolean);
  const region = /^sqs\.([a-z0-9-]+)\.amazonaws\./.exec(hostname)?.[1] ?? where.region;
  return `arn:${where.partition}:sqs:${region}:${account}:${name}`;
}
