import type { IntegrationPattern, ServiceTaskNode } from '../graph.ts';
import type { IamStatement, PermissionScope } from '../iam-statement.ts';
import { renderPayload } from '../payload.ts';
import type { ResultPath } from '../placement.ts';
import { isRef, type Ref, type Scope } from '../ref.ts';
import { type AslState, type Continuation, compact, type RenderContext, taskEnd } from '../render/context.ts';
import { isPlatformResource, resolvePlatformResource } from '../resources.ts';
import type { IntegrationOptions } from './task-options.ts';

declare const RESULT: unique symbol;
declare const ERRORS: unique symbol;
declare const PATTERNS: unique symbol;
declare const SCOPE: unique symbol;

/**
 * A call of an AWS service that a Task state makes, built by an integration factory (`snsPublish`,
 * `dynamodbGetItem`, `awsSdkStep`, …): its resource, request, least-privilege statements and the patterns it
 * supports. `R` is what it returns, `E` the errors it raises, `Pt` its patterns, `Sc` the scope of its references.
 */
export interface ServiceIntegration<
  out R,
  out E extends string,
  in Pt extends IntegrationPattern,
  out Sc extends Scope,
> {
  /** `service:action` as in the resource ARN, e.g. `sns:publish`, `aws-sdk:s3:getObject`. */
  readonly integration: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly resultSelector?: Readonly<Record<string, unknown>>;
  readonly patterns: readonly IntegrationPattern[];
  readonly permissions: (scope: PermissionScope) => readonly IamStatement[];
  readonly [RESULT]?: R;
  readonly [ERRORS]?: E;
  readonly [PATTERNS]?: (pattern: Pt) => void;
  readonly [SCOPE]?: Sc;
}

/** Any service integration. */
// biome-ignore lint/suspicious/noExplicitAny: heterogeneous integrations
export type AnyServiceIntegration = ServiceIntegration<any, string, any, any>;

/** The scope tags of the references in a request template (`never` when it has none). */
export type ScopeOf<T> =
  T extends Ref<unknown, infer S>
    ? S
    : T extends readonly unknown[]
      ? ScopeOf<T[number]>
      : T extends object
        ? { [K in keyof T]-?: ScopeOf<T[K]> }[keyof T]
        : never;

/** Options of a service step; a callback step's result is typed by `output`. */
export interface ServiceStepOptions<P extends ResultPath, I extends IntegrationPattern, CallbackOutput>
  extends IntegrationOptions<P, I> {
  /** The type of what a callback step receives with SendTaskSuccess (phantom). @default unknown */
  readonly output?: (value: CallbackOutput) => void;
}

/** What a service step places: the call's result, or what the callback sent. */
export type ServiceStepResult<R, I, CallbackOutput> = [I] extends ['waitForTaskToken'] ? CallbackOutput : R;

/** Builds a service step's node, refusing a pattern the integration does not support. */
export function serviceTaskNode(
  name: string,
  integration: AnyServiceIntegration,
  options: ServiceStepOptions<ResultPath, IntegrationPattern, unknown>,
): ServiceTaskNode {
  const pattern = options.integration ?? 'requestResponse';
  if (!integration.patterns.includes(pattern)) {
    throw new Error(
      `State '${name}': ${integration.integration} does not support '${pattern}' (it supports ${integration.patterns.join(', ')})`,
    );
  }
  return {
    kind: 'serviceTask',
    name,
    comment: options.comment,
    integration: integration.integration,
    pattern,
    parameters: integration.parameters,
    resultSelector: integration.resultSelector,
    permissions: integration.permissions,
    resultPath: options.resultPath,
    timeoutSeconds: options.timeoutSeconds,
    heartbeatSeconds: options.heartbeatSeconds,
  };
}

/** The integration's resource ARN for a pattern (`.sync`, `.waitForTaskToken`, or none). */
export function integrationArn(integration: string, pattern: IntegrationPattern): string {
  return `arn:aws:states:::${integration}${pattern === 'requestResponse' ? '' : `.${pattern}`}`;
}

/** Renders a service step; platform resources in its request become what the bindings resolve them to. */
export function renderServiceTask(state: ServiceTaskNode, next: Continuation, ctx: RenderContext): AslState {
  const resolve = ctx.bindings.platformResource?.bind(ctx.bindings);
  const bound = mapPlatformResources(state.parameters, (r) => resolvePlatformResource(resolve, r));
  return compact({
    Type: 'Task',
    Comment: state.comment,
    Resource: integrationArn(state.integration, state.pattern),
    Parameters: renderPayload(bound, state.name),
    ...taskEnd(state, next, ctx),
  });
}

/** A copy of a request template with each platform resource replaced. */
function mapPlatformResources(template: unknown, replace: (resource: never) => unknown): unknown {
  if (isPlatformResource(template)) return replace(template as never);
  if (isRef(template)) return template;
  if (Array.isArray(template)) return template.map((item) => mapPlatformResources(item, replace));
  if (
    typeof template !== 'object' ||
    template === null ||
    Object.getPrototypeOf(template) !== Object.prototype
  )
    return template;
  return Object.fromEntries(
    Object.entries(template).map(([key, value]) => [key, mapPlatformResources(value, replace)]),
  );
}
