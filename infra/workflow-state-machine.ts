import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { countAlarm } from './alarm-topic.ts';
import { type PolicyStatement, serviceRole } from './iam.ts';

/** What a state machine is made from: a name, an ASL definition (leaves may be Pulumi inputs) and its permissions. */
export interface StateMachineSource {
  readonly name: string;
  readonly definition: object;
  readonly permissions: readonly PolicyStatement[];
}

/** A workflow's state machine name, fixed so its ARN is known before it exists (a distributed map needs it). */
export function stateMachineName(workflowName: string): string {
  return `audience-io-${workflowName}-${pulumi.getStack()}`;
}

/** Arguments of {@link WorkflowStateMachine}. */
export interface WorkflowStateMachineArgs {
  readonly source: StateMachineSource;
  /** ALL, ERROR or FATAL; execution data is never logged since rows carry personal data. */
  readonly logLevel: 'ALL' | 'ERROR' | 'FATAL';
  readonly logRetentionDays: number;
  /** Topic the machine's alarms notify. */
  readonly alarmTopicArn: pulumi.Input<string>;
}

/**
 * The execution outcomes someone must hear about, each an alarm of every state machine.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/procedure-cw-metrics.html
 */
export const EXECUTION_ALARMS = [
  { metricName: 'ExecutionsFailed', alarm: 'failed', what: 'an execution failed' },
  { metricName: 'ExecutionsTimedOut', alarm: 'timed-out', what: 'an execution timed out' },
  { metricName: 'ExecutionThrottled', alarm: 'throttled', what: 'Step Functions throttled an execution' },
] as const;

/**
 * What Step Functions itself needs to deliver logs and traces. These CloudWatch Logs delivery and X-Ray
 * actions have no resource type, so AWS requires `*`. @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html
 */
export const STATE_MACHINE_OBSERVABILITY: readonly PolicyStatement[] = [
  {
    Sid: 'DeliverExecutionLogs',
    Effect: 'Allow',
    Action: [
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ],
    Resource: ['*'],
  },
  {
    Sid: 'XRayTracing',
    Effect: 'Allow',
    Action: [
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
    ],
    Resource: ['*'],
  },
];

/**
 * A Step Functions state machine for one workflow: the definition resolved once into JSON, a role with the
 * workflow's own permissions (plus log and trace delivery), logging without execution data, X-Ray tracing, and
 * alarms on failed, timed-out and throttled executions.
 */
export class WorkflowStateMachine extends pulumi.ComponentResource {
  readonly stateMachine: aws.sfn.StateMachine;
  /** State machine ARN. */
  readonly arn: pulumi.Output<string>;
  readonly role: aws.iam.Role;

  constructor(name: string, args: WorkflowStateMachineArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audience-io:workflows:WorkflowStateMachine', name, {}, opts);
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      // The vendedlogs prefix keeps Step Functions' log resource policy small however many machines there are.
      {
        name: `/aws/vendedlogs/states/audience-io-${args.source.name}-${pulumi.getStack()}`,
        retentionInDays: args.logRetentionDays,
      },
      { parent: this },
    );
    this.role = serviceRole(
      name,
      'states.amazonaws.com',
      [...args.source.permissions, ...STATE_MACHINE_OBSERVABILITY],
      this,
    );
    this.stateMachine = new aws.sfn.StateMachine(
      `${name}-state-machine`,
      {
        name: stateMachineName(args.source.name),
        type: 'STANDARD',
        roleArn: this.role.arn,
        definition: pulumi.jsonStringify(args.source.definition),
        loggingConfiguration: {
          level: args.logLevel,
          includeExecutionData: false,
          logDestination: pulumi.interpolate`${logGroup.arn}:*`,
        },
        tracingConfiguration: { enabled: true },
      },
      { parent: this },
    );
    this.arn = this.stateMachine.arn;
    for (const { metricName, alarm, what } of EXECUTION_ALARMS) {
      countAlarm(
        `${name}-${alarm}`,
        {
          description: `audience-io ${args.source.name} (${pulumi.getStack()}): ${what}`,
          namespace: 'AWS/States',
          metricName,
          dimensions: { StateMachineArn: this.arn },
        },
        args.alarmTopicArn,
        this,
      );
    }
    this.registerOutputs({ arn: this.arn, roleArn: this.role.arn });
  }
}
