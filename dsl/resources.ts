import type { Input } from '@pulumi/pulumi';

/** Kinds of platform resources a service step may name; the bindings resolve each to what its API takes. */
export interface PlatformResourceKinds {
  /** An SNS topic, resolved to its ARN. */
  readonly snsTopic: string;
  /** An SQS queue, resolved to its URL. */
  readonly sqsQueue: string;
  /** A DynamoDB table, resolved to its name. */
  readonly dynamodbTable: string;
  /** An S3 bucket, resolved to its name. */
  readonly s3Bucket: string;
  /** An EventBridge event bus, resolved to its name. */
  readonly eventBus: string;
}

/** The kind of a platform resource. */
export type PlatformResourceKind = keyof PlatformResourceKinds;

const RESOURCE = Symbol.for('audience-io.platform-resource');

/**
 * A resource the platform deploys, named in a workflow before it exists: the compiler asks the bindings for its
 * ARN, URL or name (placeholder ones for synth and the local runner, the deployed ones under `pulumi up`).
 */
export interface PlatformResource<K extends PlatformResourceKind = PlatformResourceKind> {
  readonly [RESOURCE]: { readonly kind: K; readonly name: string };
}

/** Names a platform resource of `kind` (e.g. `platformResource('snsTopic', 'import-failures')`). */
export function platformResource<K extends PlatformResourceKind>(kind: K, name: string): PlatformResource<K> {
  return Object.freeze({ [RESOURCE]: Object.freeze({ kind, name }) });
}

/** True when `value` names a platform resource. */
export function isPlatformResource(value: unknown): value is PlatformResource {
  return typeof value === 'object' && value !== null && RESOURCE in value;
}

/** Kind and name of a platform resource. */
export function platformResourceOf(value: PlatformResource): { kind: PlatformResourceKind; name: string } {
  return value[RESOURCE];
}

/** Resolves a platform resource through bindings that know it; throws naming the resource otherwise. */
export function resolvePlatformResource(
  resolve: ((kind: PlatformResourceKind, name: string) => Input<string>) | undefined,
  value: PlatformResource,
): Input<string> {
  const { kind, name } = platformResourceOf(value);
  if (!resolve) throw new Error(`Platform resource ${kind} '${name}' needs bindings.platformResource`);
  return resolve(kind, name);
}
