import type { PayloadTemplate } from '../payload.ts';
import type { ScopeOf, ServiceIntegration } from './service.ts';
import { integration } from './service-request.ts';

/** The IAM a generic SDK call needs, stated by the author (the DSL cannot know an arbitrary API's resources). */
export interface AwsSdkIam {
  /** IAM actions. @default [`${service}:${Action}`] (the SDK action, capitalised) */
  readonly actions?: readonly string[];
  /** Resource ARNs the role may call the actions on. */
  readonly resources: readonly string[];
}

/**
 * Any AWS SDK call Step Functions supports (`arn:aws:states:::aws-sdk:<service>:<action>`), for services without
 * a typed step: the request is written as the SDK's (PascalCase fields), the result typed by `R`, and the IAM
 * stated by the author.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
export function awsSdkStep<R = unknown, const P extends PayloadTemplate = PayloadTemplate>(
  service: string,
  action: string,
  request: P,
  options: { readonly iam: AwsSdkIam },
): ServiceIntegration<R, string, 'requestResponse', ScopeOf<P>> {
  if (!/^[a-z0-9]+$/.test(service) || !/^[a-z][A-Za-z0-9]*$/.test(action)) {
    throw new Error(
      `awsSdkStep: '${service}:${action}' is not an SDK service (lower case) and action (camelCase)`,
    );
  }
  if (options.iam.resources.length === 0)
    throw new Error(`awsSdkStep ${service}:${action}: iam.resources is empty`);
  const actions = options.iam.actions ?? [`${service}:${action[0]!.toUpperCase()}${action.slice(1)}`];
  return integration({
    integration: `aws-sdk:${service}:${action}`,
    parameters: request,
    patterns: ['requestResponse'],
    fromState: [],
    options: undefined,
    permissions: () => [{ Effect: 'Allow', Action: [...actions], Resource: [...options.iam.resources] }],
  });
}
