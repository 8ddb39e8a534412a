import type {
  AttributeValue,
  GetItemCommandInput,
  PutItemCommandInput,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { PermissionScope } from '../iam-statement.ts';
import type { Scope } from '../ref.ts';
import type { ScopeOf, ServiceIntegration } from './service.ts';
import {
  type CheckedRequest,
  fieldsFromState,
  type IntegrationFactoryOptions,
  integration,
  type RequestOf,
  type ResourceField,
  resolved,
} from './service-request.ts';

/** A DynamoDB request of the SDK's input type `T`, its table a literal, a reference or a platform resource. */
type TableRequest<T, Sc extends Scope> = RequestOf<T, { TableName: ResourceField<'dynamodbTable', Sc> }, Sc>;

export type DynamodbGetItemRequest<Sc extends Scope> = TableRequest<GetItemCommandInput, Sc>;
export type DynamodbPutItemRequest<Sc extends Scope> = TableRequest<PutItemCommandInput, Sc>;
export type DynamodbUpdateItemRequest<Sc extends Scope> = TableRequest<UpdateItemCommandInput, Sc>;

/** An item in DynamoDB's JSON (`{ "id": { "S": "…" } }`). */
export type DynamodbItem = Record<string, AttributeValue>;

/** What `dynamodb:getItem` returns: the item, absent when there is none. */
export interface DynamodbGetItemResult {
  readonly Item?: DynamodbItem;
}

/** What `dynamodb:putItem` and `dynamodb:updateItem` return (attributes when `ReturnValues` asks for them). */
export interface DynamodbWriteResult {
  readonly Attributes?: DynamodbItem;
}

/** Errors of the DynamoDB integration, e.g. `DynamoDB.ConditionalCheckFailedException`. */
export type DynamodbErrorName = `DynamoDB.${string}`;

type DynamodbIntegration<R, P> = ServiceIntegration<R, DynamodbErrorName, 'requestResponse', ScopeOf<P>>;

/** The table's ARN: a name is placed in the state machine's partition, region and account. */
function tableArn(scope: PermissionScope, table: unknown) {
  return scope.arn([resolved(scope, table)], (where, [name]) =>
    name === '*' || name!.startsWith('arn:')
      ? name!
      : `arn:${where.partition}:dynamodb:${where.region}:${where.account}:table/${name}`,
  );
}

function dynamodb<R, P extends { TableName: unknown }>(
  action: 'getItem' | 'putItem' | 'updateItem',
  iamAction: string,
  request: P,
  options: IntegrationFactoryOptions | undefined,
): DynamodbIntegration<R, P> {
  return integration({
    integration: `dynamodb:${action}`,
    parameters: request,
    patterns: ['requestResponse'],
    fromState: fieldsFromState(request, ['TableName']),
    options,
    permissions: (scope) => [
      { Effect: 'Allow', Action: [iamAction], Resource: [tableArn(scope, request.TableName)] },
    ],
  });
}

/**
 * Reads one item (`arn:aws:states:::dynamodb:getItem`). IAM: `dynamodb:GetItem` on the table.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html
 */
export function dynamodbGetItem<const P extends DynamodbGetItemRequest<Scope>>(
  request: CheckedRequest<P, DynamodbGetItemRequest<Scope>>,
  options?: IntegrationFactoryOptions,
): DynamodbIntegration<DynamodbGetItemResult, P> {
  return dynamodb('getItem', 'dynamodb:GetItem', request as P, options);
}

/** Writes one item (`arn:aws:states:::dynamodb:putItem`). IAM: `dynamodb:PutItem` on the table. */
export function dynamodbPutItem<const P extends DynamodbPutItemRequest<Scope>>(
  request: CheckedRequest<P, DynamodbPutItemRequest<Scope>>,
  options?: IntegrationFactoryOptions,
): DynamodbIntegration<DynamodbWriteResult, P> {
  return dynamodb('putItem', 'dynamodb:PutItem', request as P, options);
}

/** Updates one item (`arn:aws:states:::dynamodb:updateItem`). IAM: `dynamodb:UpdateItem` on the table. */
export function dynamodbUpdateItem<const P extends DynamodbUpdateItemRequest<Scope>>(
  request: CheckedRequest<P, DynamodbUpdateItemRequest<Scope>>,
  options?: IntegrationFactoryOptions,
): DynamodbIntegration<DynamodbWriteResult, P> {
  return dynamodb('updateItem', 'dynamodb:UpdateItem', request as P, options);
}
