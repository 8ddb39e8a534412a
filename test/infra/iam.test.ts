import { expect } from 'chai';
import { compileWorkflow, type JobNeed } from '../../dsl/index.ts';
import type { AnyJob } from '../../dsl/job.ts';
import { grantsOf } from '../../infra/job-permissions.ts';
import type { PlanResult } from '../../infra/plan-run.ts';
import { STATE_MACHINE_OBSERVABILITY } from '../../infra/workflow-state-machine.ts';
import { allJobs as declaredJobs } from '../../jobs/index.ts';
import { allWorkflows } from '../../workflows/index.ts';
import {
  allows,
  type PlannedRole,
  plannedDevStack,
  plannedRoles,
  resolved,
  resourceNamed,
  roleNamed,
  type Statement,
} from './stack.ts';

const allJobs: readonly AnyJob[] = declaredJobs;

/**
 * Actions whose only resource is `*` (they have no resource type in IAM), so a `*` resource is what AWS requires.
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
const STAR_RESOURCE_REQUIRED = new Set([
  'ecr:GetAuthorizationToken',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'ecs:DiscoverPollEndpoint',
  'ec2:DescribeNetworkInterfaces',
]);

/**
 * What a role with a need may do, and what no job may do at all, written independently of the infra's table:
 * `[action, resource, allowed with the need]`. Each need's own samples are denied without it.
 */
function needSamples(plan: PlanResult): Record<JobNeed, [action: string, resource: string][]> {
  const bucket = String(resourceNamed(plan, 'aws:s3/bucket:Bucket', 'audience-io-audience-bucket').state.arn);
  const table = String(resourceNamed(plan, 'aws:dynamodb/table:Table', 'audience-io-status-table').state.arn);
  return {
    'audienceBucket:read:imports': [
      ['s3:GetObject', `${bucket}/imports/segment/import.csv`],
      ['s3:ListBucket', bucket],
    ],
    'audienceBucket:read:rejects': [
      ['s3:GetObject', `${bucket}/rejects/import.csv`],
      ['s3:GetObject', `${bucket}/rejects/import/shard-0.ids`],
    ],
    'audienceBucket:write:rejects': [
      ['s3:PutObject', `${bucket}/rejects/import.csv`],
      ['s3:AbortMultipartUpload', `${bucket}/rejects/import.csv`],
    ],
    'audienceBucket:write:exports': [
      ['s3:PutObject', `${bucket}/exports/segment/export.csv`],
      ['s3:AbortMultipartUpload', `${bucket}/exports/segment/export.csv`],
    ],
    'statusTable:read': [['dynamodb:GetItem', table]],
    'statusTable:write': [['dynamodb:UpdateItem', table]],
    kafka: [],
  };
}

/** What no job role may do, whatever its needs: write where uploads start imports, read others' outputs, … */
function forbiddenForEveryJob(plan: PlanResult): [action: string, resource: string][] {
  const bucket = String(resourceNamed(plan, 'aws:s3/bucket:Bucket', 'audience-io-audience-bucket').state.arn);
  const table = String(resourceNamed(plan, 'aws:dynamodb/table:Table', 'audience-io-status-table').state.arn);
  return [
    ['s3:PutObject', `${bucket}/imports/segment/import.csv`],
    ['s3:PutObject', `${bucket}/other.csv`],
    ['s3:GetObject', `${bucket}/exports/segment/export.csv`],
    ['s3:DeleteObject', `${bucket}/imports/segment/import.csv`],
    ['dynamodb:PutItem', table],
    ['dynamodb:Query', table],
    ['dynamodb:Scan', table],
  ];
}

/** The job roles the plan deployed: one per executor some workflow runs the job on. */
function jobRoles(plan: PlanResult, job: AnyJob): { executor: 'lambda' | 'task'; role: PlannedRole }[] {
  const roles = plannedRoles(plan);
  const named = (name: string) => roles.find((r) => r.name === name);
  const lambda = named(`audience-io-${job.name}-lambda-role`);
  const task = named(`audience-io-${job.name}-fargate-task-role`);
  return [
    ...(lambda ? [{ executor: 'lambda' as const, role: lambda }] : []),
    ...(task ? [{ executor: 'task' as const, role: task }] : []),
  ];
}

/** Actions a job role holds besides its needs': what the platform around the job calls (logs, traces, ENIs). */
function platformActions(plan: PlanResult, executor: 'lambda' | 'task', job: AnyJob): string[] {
  if (executor === 'task') return [];
  const fn = resourceNamed(plan, 'aws:lambda/function:Function', `audience-io-${job.name}-lambda-function`);
  return [
    'logs:CreateLogStream',
    'logs:PutLogEvents',
    'xray:PutTraceSegments',
    'xray:PutTelemetryRecords',
    ...(fn.inputs.vpcConfig
      ? [
          'ec2:CreateNetworkInterface',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
          'ec2:DescribeNetworkInterfaces',
        ]
      : []),
  ];
}

const KAFKA_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:audience-io/kafka-AbCdEf';

function describeStatement(role: PlannedRole, statement: Statement): string {
  return `${role.name}: ${JSON.stringify(statement)}`;
}

describe('infra: IAM (Pulumi mocks)', () => {
  let plan: PlanResult;
  let roles: PlannedRole[];
  before(async () => {
    plan = await plannedDevStack();
    roles = plannedRoles(plan);
  });

  it('no * in any action', () => {
    for (const role of roles) {
      for (const statement of role.statements) {
        expect(
          statement.Action.filter((a) => a.includes('*')),
          describeStatement(role, statement),
        ).to.deep.equal([]);
      }
    }
  });

  it('no * resource except for actions that have no resource type', () => {
    const starActions = new Set<string>();
    for (const role of roles) {
      for (const statement of role.statements.filter((s) => s.Resource.includes('*'))) {
        for (const action of statement.Action) {
          expect(
            STAR_RESOURCE_REQUIRED.has(action),
            `${action} on * in ${describeStatement(role, statement)}`,
          ).to.equal(true);
          starActions.add(action);
        }
      }
    }
    expect([...starActions]).to.include.members(['ecr:GetAuthorizationToken', 'xray:PutTraceSegments']);
  });

  it('iam:PassRole only on the task and execution roles, only to ECS tasks', () => {
    const taskRoles = roles.filter((r) => r.assumedBy === 'ecs-tasks.amazonaws.com').map((r) => r.arn);
    let passRoles = 0;
    for (const role of roles) {
      for (const statement of role.statements.filter((s) => s.Action.includes('iam:PassRole'))) {
        passRoles += 1;
        expect(role.assumedBy, role.name).to.equal('states.amazonaws.com');
        expect(statement.Action, describeStatement(role, statement)).to.deep.equal(['iam:PassRole']);
        expect(taskRoles, describeStatement(role, statement)).to.include.members(statement.Resource);
        expect(statement.Condition).to.deep.equal({
          StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
        });
      }
    }
    expect(passRoles).to.be.greaterThan(0);
  });

  for (const job of allJobs) {
    it(`${job.name}'s roles can do what its needs say, and nothing its needs do not`, () => {
      const samples = needSamples(plan);
      for (const { executor, role } of jobRoles(plan, job)) {
        for (const [need, checks] of Object.entries(samples) as [JobNeed, [string, string][]][]) {
          for (const [action, resource] of checks) {
            expect(
              allows(role.statements, action, resource),
              `${role.name} ${action} on ${resource}`,
            ).to.equal(job.needs.includes(need));
          }
        }
        for (const [action, resource] of forbiddenForEveryJob(plan)) {
          expect(allows(role.statements, action, resource), `${role.name} ${action} on ${resource}`).to.equal(
            false,
          );
        }
        expect(executor).to.be.oneOf(['lambda', 'task']);
      }
    });

    it(`${job.name}'s roles hold exactly the actions derived from its needs, plus the platform's own`, () => {
      for (const { executor, role } of jobRoles(plan, job)) {
        const fromNeeds = grantsOf(job.needs, executor).flatMap(({ grant }) => grant.actions);
        expect(
          role.statements.flatMap((s) => s.Action),
          role.name,
        ).to.have.members([...platformActions(plan, executor, job), ...fromNeeds]);
      }
    });
  }

  it('deploys a role per executor a workflow uses, none for an unused one (send-end-marker runs on Lambda only)', () => {
    const deployed = allJobs.flatMap((job) => jobRoles(plan, job).map((r) => `${job.name} ${r.executor}`));
    expect(deployed).to.have.members([
      'import-key lambda',
      'audience-status lambda',
      'plan-import lambda',
      'import-audience lambda',
      'import-audience task',
      'close-sharded-import lambda',
      'send-end-marker lambda',
      'export-audience task',
    ]);
    expect(plannedRoles(plan).map((r) => r.name)).not.to.include.members([
      'audience-io-send-end-marker-fargate-task-role',
      'audience-io-send-end-marker-fargate-execution-role',
    ]);
  });

  it('Kafka credentials: a Lambda job reads the secret itself, a task gets it injected by its execution role', () => {
    for (const job of allJobs) {
      const needsKafka = job.needs.includes('kafka');
      for (const { executor, role } of jobRoles(plan, job)) {
        expect(allows(role.statements, 'secretsmanager:GetSecretValue', KAFKA_SECRET), role.name).to.equal(
          executor === 'lambda' && needsKafka,
        );
        if (executor === 'task') {
          const execution = roleNamed(plan, `audience-io-${job.name}-fargate-execution-role`);
          expect(
            allows(execution.statements, 'secretsmanager:GetSecretValue', KAFKA_SECRET),
            execution.name,
          ).to.equal(needsKafka);
        }
      }
    }
  });

  it('a Lambda function in the VPC may manage network interfaces of its account and region only', () => {
    const role = roleNamed(plan, 'audience-io-send-end-marker-lambda-role');
    const fn = resourceNamed(
      plan,
      'aws:lambda/function:Function',
      'audience-io-send-end-marker-lambda-function',
    );
    const { subnetIds, securityGroupIds } = fn.inputs.vpcConfig as {
      subnetIds: string[];
      securityGroupIds: string[];
    };
    const ec2 = 'arn:aws:ec2:us-east-1:123456789012';
    expect(allows(role.statements, 'ec2:CreateNetworkInterface', `${ec2}:network-interface/eni-1`)).to.equal(
      true,
    );
    expect(allows(role.statements, 'ec2:CreateNetworkInterface', `${ec2}:subnet/${subnetIds[0]}`)).to.equal(
      true,
    );
    expect(
      allows(role.statements, 'ec2:CreateNetworkInterface', `${ec2}:security-group/${securityGroupIds[1]}`),
    ).to.equal(true);
    expect(allows(role.statements, 'ec2:CreateNetworkInterface', `${ec2}:subnet/subnet-elsewhere`)).to.equal(
      false,
    );
    expect(allows(role.statements, 'ec2:DeleteNetworkInterface', `${ec2}:network-interface/eni-1`)).to.equal(
      true,
    );
    expect(
      allows(
        role.statements,
        'ec2:DeleteNetworkInterface',
        'arn:aws:ec2:eu-west-1:123456789012:network-interface/eni-1',
      ),
    ).to.equal(false);
  });

  it('the state machines may run any revision of a task family, so a retry after a deploy is not denied', () => {
    for (const [workflow, job] of [
      ['import-audience', 'import-audience'],
      ['export-audience', 'export-audience'],
    ]) {
      const family = `arn:aws:ecs:us-east-1:123456789012:task-definition/audience-io-${job}-dev`;
      const role = roleNamed(plan, `audience-io-${workflow}-role`);
      expect(allows(role.statements, 'ecs:RunTask', `${family}:1`), role.name).to.equal(true);
      expect(allows(role.statements, 'ecs:RunTask', `${family}:2`), role.name).to.equal(true);
      expect(
        allows(role.statements, 'ecs:RunTask', 'arn:aws:ecs:us-east-1:123456789012:task-definition/other:1'),
      ).to.equal(false);
    }
  });

  it('a Lambda job writes its own log group only', () => {
    const role = roleNamed(plan, 'audience-io-audience-status-lambda-role');
    const own = String(
      resourceNamed(plan, 'aws:cloudwatch/logGroup:LogGroup', 'audience-io-audience-status-lambda-logs').state
        .arn,
    );
    const other = String(
      resourceNamed(plan, 'aws:cloudwatch/logGroup:LogGroup', 'audience-io-send-end-marker-lambda-logs').state
        .arn,
    );
    expect(allows(role.statements, 'logs:PutLogEvents', `${own}:log-stream:x`)).to.equal(true);
    expect(allows(role.statements, 'logs:PutLogEvents', `${other}:log-stream:x`)).to.equal(false);
  });

  for (const workflow of allWorkflows) {
    it(`the ${workflow.name} state machine role holds the DSL's permissions and log/trace delivery, nothing else`, async () => {
      const machine = resourceNamed(
        plan,
        'aws:sfn/stateMachine:StateMachine',
        `audience-io-${workflow.name}-state-machine`,
      );
      const role = roles.find((r) => r.arn === machine.inputs.roleArn)!;
      // The DSL's statements, compiled against the deployed resources (via the definition's own ARNs).
      const permissions = compileWorkflow(workflow, bindingsOf(plan)).permissions;
      const expected = await resolved(
        JSON.parse(JSON.stringify([...permissions, ...STATE_MACHINE_OBSERVABILITY])),
      );
      expect(role.statements).to.deep.equal(expected);
    });
  }

  it('EventBridge may start only the import starter, and the starter only read the key and start the import workflow', () => {
    const starter = resourceNamed(
      plan,
      'aws:sfn/stateMachine:StateMachine',
      'audience-io-import-starter-state-machine',
    );
    const importMachine = resourceNamed(
      plan,
      'aws:sfn/stateMachine:StateMachine',
      'audience-io-import-audience-state-machine',
    );
    const importKeyFunction = String(
      resourceNamed(plan, 'aws:lambda/function:Function', 'audience-io-import-key-lambda-function').state.arn,
    );
    const events = roleNamed(plan, 'audience-io-import-trigger-events-role');
    expect(events.assumedBy).to.equal('events.amazonaws.com');
    expect(events.statements.map((s) => [s.Action, s.Resource])).to.deep.equal([
      [['states:StartExecution'], [starter.state.arn]],
    ]);
    const starterRole = roles.find((r) => r.arn === starter.inputs.roleArn)!;
    expect(
      starterRole.statements.filter((s) => !STATE_MACHINE_OBSERVABILITY.some((o) => o.Sid === s.Sid)),
    ).to.deep.equal([
      {
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: [importKeyFunction, `${importKeyFunction}:*`],
      },
      { Effect: 'Allow', Action: ['states:StartExecution'], Resource: [importMachine.state.arn] },
    ]);
  });
});

/** Bindings read back from the plan: the import/export definitions name every deployed ARN they use. */
function bindingsOf(plan: PlanResult) {
  const arn = (type: string, name: string) => String(resourceNamed(plan, type, name).state.arn);
  return {
    lambda: (job: AnyJob) => ({
      functionArn: arn('aws:lambda/function:Function', `audience-io-${job.name}-lambda-function`),
    }),
    fargate: (job: AnyJob) => ({
      cluster: arn('aws:ecs/cluster:Cluster', 'audience-io-jobs-cluster'),
      taskDefinition: arn(
        'aws:ecs/taskDefinition:TaskDefinition',
        `audience-io-${job.name}-fargate-task-definition`,
      ),
      containerName: job.name,
      subnets: [],
      securityGroups: [],
      taskRoleArn: arn('aws:iam/role:Role', `audience-io-${job.name}-fargate-task-role`),
      executionRoleArn: arn('aws:iam/role:Role', `audience-io-${job.name}-fargate-execution-role`),
    }),
    stateMachineArn: (workflowName: string) =>
      arn('aws:sfn/stateMachine:StateMachine', `audience-io-${workflowName}-state-machine`),
    platformResource: () =>
      String(resourceNamed(plan, 'aws:s3/bucket:Bucket', 'audience-io-audience-bucket').state.bucket),
  };
}
