import type { Input } from '@pulumi/pulumi';
import type { IntegrationPattern } from '../graph.ts';
import type { IamStatement, PermissionScope } from '../iam-statement.ts';
import type { NoExcess, PayloadOf, PayloadTemplate, Value } from '../payload.ts';
import { isRef, type Scope } from '../ref.ts';
import type { PlatformResource, PlatformResourceKind } from '../resources.ts';
import type { ScopeOf, ServiceIntegration } from './service.ts';

/** A request field naming a resource: a literal, a reference, or a platform resource the bindings resolve. */
export type ResourceField<K extends PlatformResourceKind, Sc extends Scope> =
  | Value<string, Sc>
  | PlatformResource<K>;

/** A request field that Step Functions serialises when given JSON (SNS `Message`, SQS `MessageBody`, `Detail`). */
export type JsonTextField<Sc extends Scope> = Value<string, Sc> | PayloadTemplate;

/** An SDK request typed field by field (every leaf a literal or a reference), with overrides for some fields. */
export type RequestOf<T, Overrides, Sc extends Scope> = PayloadOf<Omit<T, keyof Overrides>, Sc> & Overrides;

/** A request as written, checked for keys the request type does not have. */
export type CheckedRequest<P, T> = NoExcess<P, T>;

/** Statements a request needs, given how its resources resolve at deploy time. */
export type RequestPermissions = (scope: PermissionScope) => readonly IamStatement[];

/** Options every integration factory takes. */
export interface IntegrationFactoryOptions {
  /**
   * The resources the role may call when the request takes them from the state (known only at run time); when
   * absent, such a request is refused, since its least privilege cannot be derived.
   */
  readonly iamResources?: readonly string[];
}

/** The fields among `fields` whose value is a reference (known only at run time). */
export function fieldsFromState<P>(request: P, fields: readonly (keyof P & string)[]): string[] {
  return fields.filter((field) => isRef(request[field]));
}

/**
 * Makes an integration value. `fromState` names the request fields its permissions are scoped by that are
 * references: then `options.iamResources` must name the resources, or the factory throws.
 */
export function integration<R, E extends string, Pt extends IntegrationPattern, P>(spec: {
  integration: string;
  parameters: P;
  patterns: readonly Pt[];
  fromState: readonly string[];
  options: IntegrationFactoryOptions | undefined;
  permissions: RequestPermissions;
  resultSelector?: Record<string, unknown>;
}): ServiceIntegration<R, E, Pt, ScopeOf<P>> {
  const { fromState } = spec;
  const declared = spec.options?.iamResources;
  if (fromState.length > 0 && !declared?.length) {
    throw new Error(
      `${spec.integration}: ${fromState.join(', ')} ${fromState.length > 1 ? 'are' : 'is'} taken from the state; name the resources the role may use with { iamResources: [...] }`,
    );
  }
  return {
    integration: spec.integration,
    parameters: spec.parameters as Record<string, unknown>,
    patterns: spec.patterns,
    ...(spec.resultSelector ? { resultSelector: spec.resultSelector } : {}),
    permissions: (scope) =>
      fromState.length > 0
        ? spec.permissions(scope).map((statement) => ({ ...statement, Resource: [...(declared ?? [])] }))
        : spec.permissions(scope),
  };
}

/** The deploy-time value of a resource field; a reference (whose statements `iamResources` replaces) gives `*`. */
export function resolved(scope: PermissionScope, value: unknown): Input<string> {
  return scope.resolve(value) ?? '*';
}
