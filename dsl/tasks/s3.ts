import type {
  GetObjectCommandInput,
  HeadObjectCommandInput,
  PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import type { PermissionScope } from '../iam-statement.ts';
import type { Value } from '../payload.ts';
import { isRef, type Scope } from '../ref.ts';
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

type ObjectRequest<T, Sc extends Scope, Extra = unknown> = RequestOf<
  T,
  { Bucket: ResourceField<'s3Bucket', Sc>; Key: Value<string, Sc> } & Extra,
  Sc
>;

export type S3GetObjectRequest<Sc extends Scope> = ObjectRequest<GetObjectCommandInput, Sc>;
export type S3HeadObjectRequest<Sc extends Scope> = ObjectRequest<HeadObjectCommandInput, Sc>;
/** A PutObject request; Step Functions sends `Body` as text. */
export type S3PutObjectRequest<Sc extends Scope> = ObjectRequest<
  Omit<PutObjectCommandInput, 'Body'>,
  Sc,
  { Body: Value<string, Sc> }
>;

/** What `aws-sdk:s3:getObject` returns: the body as text, with the object's metadata. */
export interface S3GetObjectResult {
  readonly Body: string;
  readonly ContentLength?: number;
  readonly ContentType?: string;
  readonly ETag?: string;
  readonly LastModified?: string;
  readonly Metadata?: Readonly<Record<string, string>>;
}

/** What `aws-sdk:s3:headObject` returns. */
export interface S3HeadObjectResult {
  readonly ContentLength: number;
  readonly ContentType?: string;
  readonly ETag: string;
  readonly LastModified: string;
  readonly Metadata?: Readonly<Record<string, string>>;
}

/** What `aws-sdk:s3:putObject` returns. */
export interface S3PutObjectResult {
  readonly ETag: string;
  readonly VersionId?: string;
}

/** Errors of the S3 SDK integration: `S3.` and the exception, e.g. `S3.NoSuchKeyException`. */
export type S3ErrorName = `S3.${string}`;

type S3Integration<R, P> = ServiceIntegration<R, S3ErrorName, 'requestResponse', ScopeOf<P>>;

/** The object's ARN, or every object of the bucket when the key is known only at run time. */
function objectArn(scope: PermissionScope, bucket: unknown, key: unknown) {
  const objectKey = isRef(key) ? '*' : String(key);
  return scope.arn([resolved(scope, bucket)], (where, [name]) =>
    name === '*' ? '*' : `arn:${where.partition}:s3:::${name}/${objectKey}`,
  );
}

function s3<R, P extends { Bucket: unknown; Key: unknown }>(
  action: 'getObject' | 'headObject' | 'putObject',
  iamAction: string,
  request: P,
  options: IntegrationFactoryOptions | undefined,
): S3Integration<R, P> {
  return integration({
    integration: `aws-sdk:s3:${action}`,
    parameters: request,
    patterns: ['requestResponse'],
    fromState: fieldsFromState(request, ['Bucket']),
    options,
    permissions: (scope) => [
      { Effect: 'Allow', Action: [iamAction], Resource: [objectArn(scope, request.Bucket, request.Key)] },
    ],
  });
}

/**
 * Reads an object as text (`arn:aws:states:::aws-sdk:s3:getObject`). IAM: `s3:GetObject` on the object (the
 * bucket's objects when the key comes from the state).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
export function s3GetObject<const P extends S3GetObjectRequest<Scope>>(
  request: CheckedRequest<P, S3GetObjectRequest<Scope>>,
  options?: IntegrationFactoryOptions,
): S3Integration<S3GetObjectResult, P> {
  return s3('getObject', 's3:GetObject', request as P, options);
}

/** Reads an object's metadata (`aws-sdk:s3:headObject`). IAM: `s3:GetObject`, which HeadObject requires. */
export function s3HeadObject<const P extends S3HeadObjectRequest<Scope>>(
  request: CheckedRequest<P, S3HeadObjectRequest<Scope>>,
  options?: IntegrationFactoryOptions,
): S3Integration<S3HeadObjectResult, P> {
  return s3('headObject', 's3:GetObject', request as P, options);
}

/** Writes an object from text (`aws-sdk:s3:putObject`). IAM: `s3:PutObject` on the object. */
export function s3PutObject<const P extends S3PutObjectRequest<Scope>>(
  request: CheckedRequest<P, S3PutObjectRequest<Scope>>,
  options?: IntegrationFactoryOptions,
): S3Integration<S3PutObjectResult, P> {
  return s3('putObject', 's3:PutObject', request as P, options);
}
