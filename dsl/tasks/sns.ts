import type { PublishCommandInput } from '@aws-sdk/client-sns';
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

/** An SNS Publish request (the SDK's `PublishCommandInput`) to a topic; `Message` may be JSON, sent as text. */
export type SnsPublishRequest<Sc extends Scope> = RequestOf<
  Omit<PublishCommandInput, 'TargetArn' | 'PhoneNumber'>,
  { TopicArn: ResourceField<'snsTopic', Sc>; Message: JsonTextField<Sc> },
  Sc
>;

/** What `sns:publish` returns. */
export interface SnsPublishResult {
  readonly MessageId: string;
  readonly SequenceNumber?: string;
}

/** Errors of the SNS integration (`SNS.` and the SDK exception, e.g. `SNS.NotFoundException`). */
export type SnsErrorName = `SNS.${string}`;

/**
 * Publishes a message to an SNS topic (`arn:aws:states:::sns:publish`); with `waitForTaskToken`, waits for a
 * subscriber to call back. IAM: `sns:Publish` on the topic.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html
 */
export function snsPublish<const P extends SnsPublishRequest<Scope>>(
  request: CheckedRequest<P, SnsPublishRequest<Scope>>,
  options?: IntegrationFactoryOptions,
): ServiceIntegration<SnsPublishResult, SnsErrorName, 'requestResponse' | 'waitForTaskToken', ScopeOf<P>> {
  return integration({
    integration: 'sns:publish',
    parameters: request as P,
    patterns: ['requestResponse', 'waitForTaskToken'],
    fromState: fieldsFromState(request as P, ['TopicArn']),
    options,
    permissions: (scope) => [
      { Effect: 'Allow', Action: ['sns:Publish'], Resource: [resolved(scope, request.TopicArn)] },
    ],
  });
}
