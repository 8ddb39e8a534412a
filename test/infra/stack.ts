import * as pulumi from '@pulumi/pulumi';
import type { PlannedResource } from '../../infra/plan-mocks.ts';
import {
  type PlanResult,
  planProgram,
  readStackConfig,
  resolved,
  type StackConfig,
} from '../../infra/plan-run.ts';
import { audienceIoProgram } from '../../infra/program.ts';

/** The dev stack's configuration, as `pulumi up` would hand it to the program. */
export const devConfig: StackConfig = readStackConfig(
  new URL('../../Pulumi.dev.yaml', import.meta.url).pathname,
);

/** The plaintext SASL password of {@link secretStackConfig}; it must appear nowhere but in the stored secret. */
export const SASL_PASSWORD = 'correct-horse-battery-staple';

/**
 * A second stack: SASL password as a Pulumi secret, Kafka on the internet, a new VPC with a NAT gateway, the
 * export on the EC2 capacity provider, log level ERROR, no bucket versioning, no alarm email.
 */
export const secretStackConfig: StackConfig = {
  values: {
    ...withoutKeys(devConfig.values, ['audience-io:kafkaNetwork', 'audience-io:alarmEmail']),
    'audience-io:kafkaSasl': JSON.stringify({ mechanism: 'scram-sha-256', username: 'audience-io' }),
    'audience-io:kafkaSaslPassword': SASL_PASSWORD,
    'audience-io:kafkaBrokers': JSON.stringify(['kafka-1.example.com:9094', 'kafka-2.example.com:9094']),
    'audience-io:network': JSON.stringify({ vpc: 'new', availabilityZones: 3, natGateway: true }),
    'audience-io:stateMachineLogLevel': 'ERROR',
    'audience-io:bucketVersioning': 'false',
    'audience-io:jobs': JSON.stringify({
      'export-audience': { fargate: { capacity: 'ec2', cpu: 4096, memoryMiB: 32768 } },
    }),
  },
  secretKeys: ['audience-io:kafkaSaslPassword'],
};

/** A third stack: Kafka on the internet and tasks in the default VPC's public subnets, with public IPs. */
export const publicStackConfig: StackConfig = {
  values: withoutKeys(devConfig.values, ['audience-io:kafkaNetwork', 'audience-io:ec2Capacity']),
  secretKeys: [],
};

let devPlan: Promise<PlanResult> | undefined;
let secretPlan: Promise<PlanResult> | undefined;
let publicPlan: Promise<PlanResult> | undefined;

/** The Pulumi program (`index.ts`) run once under mocks with the dev stack's configuration. */
export function plannedDevStack(): Promise<PlanResult> {
  devPlan ??= planProgram(() => import('../../index.ts'), devConfig);
  return devPlan;
}

/** The program run once under mocks with {@link secretStackConfig}, after the dev stack. */
export function plannedSecretStack(): Promise<PlanResult> {
  secretPlan ??= plannedDevStack().then(() => planProgram(audienceIoProgram, secretStackConfig, 'prod'));
  return secretPlan;
}

/** The program run once under mocks with {@link publicStackConfig}, after the other stacks. */
export function plannedPublicStack(): Promise<PlanResult> {
  publicPlan ??= plannedSecretStack().then(() => planProgram(audienceIoProgram, publicStackConfig, 'public'));
  return publicPlan;
}

/** Every stack a policy holds for, by name. */
export const plannedStacks = [
  ['dev', plannedDevStack],
  ['secret', plannedSecretStack],
  ['public', plannedPublicStack],
] as const;

function withoutKeys(values: Record<string, string>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => !keys.includes(key)));
}

/** The one resource of a type and name; fails naming both when absent. */
export function resourceNamed(plan: PlanResult, type: string, name: string): PlannedResource {
  const found = plan.resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`No ${type} named '${name}' in the plan`);
  return found;
}

/** The resources of one type. */
export function resourcesOfType(plan: PlanResult, type: string): PlannedResource[] {
  return plan.resources.filter((r) => r.type === type);
}

/** A JSON string input, parsed. */
export function parsedJson<T = unknown>(value: unknown): T {
  if (typeof value !== 'string') throw new Error(`Expected a JSON string, got ${typeof value}`);
  return JSON.parse(value) as T;
}

/** One statement of a role's policy, as IAM reads it. */
export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** A role with who may assume it and what its inline policies allow. */
export interface PlannedRole {
  readonly name: string;
  readonly arn: string;
  readonly assumedBy: string;
  readonly statements: Statement[];
}

/** Every role in the plan with its trust and inline statements. */
export function plannedRoles(plan: PlanResult): PlannedRole[] {
  return resourcesOfType(plan, 'aws:iam/role:Role').map((role) => ({
    name: role.name,
    arn: String(role.state.arn),
    assumedBy: parsedJson<{ Statement: { Principal: { Service: string } }[] }>(role.inputs.assumeRolePolicy)
      .Statement[0]!.Principal.Service,
    statements: ((role.inputs.inlinePolicies as { policy?: string }[] | undefined) ?? []).flatMap((p) =>
      p.policy ? parsedJson<{ Statement: Statement[] }>(p.policy).Statement : [],
    ),
  }));
}

/** The role of a name; fails naming it when absent. */
export function roleNamed(plan: PlanResult, name: string): PlannedRole {
  const role = plannedRoles(plan).find((r) => r.name === name);
  if (!role) throw new Error(`No role named '${name}' in the plan`);
  return role;
}

/** Whether an Allow statement grants `action` on `resource` (IAM's `*` wildcards; conditions not evaluated). */
export function allows(statements: readonly Statement[], action: string, resource: string): boolean {
  return statements.some(
    (s) =>
      s.Effect === 'Allow' &&
      s.Action.some((a) => wildcard(a).test(action)) &&
      s.Resource.some((r) => wildcard(r).test(resource)),
  );
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

export { pulumi, resolved };
