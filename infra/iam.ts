import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { IamStatement } from '../dsl/permissions.ts';

/** One IAM policy statement whose resources may be Pulumi inputs: the DSL's shape, used for every role. */
export type PolicyStatement = IamStatement;

/** AWS services that assume the platform's roles. */
export type ServicePrincipal =
  | 'lambda.amazonaws.com'
  | 'ecs-tasks.amazonaws.com'
  | 'states.amazonaws.com'
  | 'events.amazonaws.com'
  | 'ec2.amazonaws.com';

/** The trust policy letting one AWS service assume a role. */
export function assumeRolePolicy(service: ServicePrincipal): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });
}

/**
 * A policy document with its inputs resolved once; each statement lists a resource once, since resources
 * that were distinct Outputs may resolve to the same ARN.
 */
export function policyDocument(statements: readonly PolicyStatement[]): pulumi.Output<string> {
  return pulumi.output(statements).apply((resolved) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: resolved.map((statement) => ({ ...statement, Resource: [...new Set(statement.Resource)] })),
    }),
  );
}

/**
 * Creates `${name}-role` for `service` whose one inline policy holds exactly `statements` (managed exclusively,
 * no managed policies), so the role can do nothing else and its policy exists as soon as the role does.
 */
export function serviceRole(
  name: string,
  service: ServicePrincipal,
  statements: readonly PolicyStatement[],
  parent: pulumi.Resource,
): aws.iam.Role {
  return new aws.iam.Role(
    `${name}-role`,
    {
      assumeRolePolicy: assumeRolePolicy(service),
      inlinePolicies:
        statements.length > 0 ? [{ name: 'least-privilege', policy: policyDocument(statements) }] : [{}],
    },
    { parent },
  );
}
