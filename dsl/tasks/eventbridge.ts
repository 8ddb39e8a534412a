import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { isRef, type Scope } from '../ref.ts';
import type { ScopeOf, ServiceIntegration } from './service.ts';
import {
  type CheckedRequest,
  type IntegrationFactoryOptions,
  integration,
  type JsonTextField,
  type RequestOf,
  type ResourceField,
  resolved,
} from './service-request.ts';

/** One event (the SDK's `PutEventsRequestEntry`); `Detail` may be JSON, sent as text. */
export type EventBridgeEntry<Sc extends Scope> = RequestOf<
  PutEventsRequestEntry,
  {
    Detail: JsonTextField<Sc>;
    DetailType: string;
    Source: string;
    EventBusName?: ResourceField<'eventBus', Sc>;
  },
  Sc
>;

/** A PutEvents request. */
export interface EventBridgePutEventsRequest<Sc extends Scope> {
  readonly Entries: readonly EventBridgeEntry<Sc>[];
}

/** What `events:putEvents` returns. */
export interface EventBridgePutEventsResult {
  readonly Entries: readonly { readonly EventId?: string; readonly ErrorCode?: string }[];
  readonly FailedEntryCount: number;
}

/** Errors of the EventBridge integration, e.g. `EventBridge.AmazonEventBridgeException`. */
export type EventBridgeErrorName = `EventBridge.${string}`;

/**
 * Puts events on event buses (`arn:aws:states:::events:putEvents`). IAM: `events:PutEvents` on each bus named
 * (the default bus when an entry names none).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html
 */
export function eventBridgePutEvents<const P extends EventBridgePutEventsRequest<Scope>>(
  request: CheckedRequest<P, EventBridgePutEventsRequest<Scope>>,
  options?: IntegrationFactoryOptions,
): ServiceIntegration<
  EventBridgePutEventsResult,
  EventBridgeErrorName,
  'requestResponse' | 'waitForTaskToken',
  ScopeOf<P>
> {
  const entries = (request as P).Entries;
  return integration({
    integration: 'events:putEvents',
    parameters: request as P,
    patterns: ['requestResponse', 'waitForTaskToken'],
    fromState: entries.some((entry) => isRef(entry.EventBusName)) ? ['Entries[].EventBusName'] : [],
    options,
    permissions: (scope) => [
      {
        Effect: 'Allow',
        Action: ['events:PutEvents'],
        Resource: [...new Set(entries.map((entry) => entry.EventBusName ?? 'default'))].map((bus) =>
          scope.arn([resolved(scope, bus)], (where, [name]) =>
            name!.startsWith('arn:')
              ? name!
              : `arn:${where.partition}:events:${where.region}:${where.account}:event-bus/${name}`,
          ),
        ),
      },
    ],
  });
}
