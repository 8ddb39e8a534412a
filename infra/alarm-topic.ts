import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** Arguments of {@link AlarmTopic}. */
export interface AlarmTopicArgs {
  /** Address subscribed to every alarm (AWS sends a confirmation mail first); absent, subscribe as you like. */
  readonly email: string | undefined;
}

/**
 * The SNS topic every alarm of the platform notifies: failed, timed-out or throttled executions and imports
 * whose start was lost. Unencrypted on purpose: alarms carry no personal data, and a topic encrypted for
 * CloudWatch needs a customer managed key, billed every month even when idle.
 */
export class AlarmTopic extends pulumi.ComponentResource {
  /** Topic ARN, the alarms' action. */
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: AlarmTopicArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audience-io:alarms:AlarmTopic', name, {}, opts);
    const topic = new aws.sns.Topic(`${name}-topic`, { displayName: 'audience-io alarms' }, { parent: this });
    this.arn = topic.arn;
    if (args.email !== undefined) {
      new aws.sns.TopicSubscription(
        `${name}-email`,
        { topic: topic.arn, protocol: 'email', endpoint: args.email },
        { parent: this },
      );
    }
    this.registerOutputs({ arn: this.arn });
  }
}

/** One alarm: a metric summed over five minutes reaching a threshold notifies the topic. */
export interface CountAlarm {
  readonly description: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, pulumi.Input<string>>;
  /** @default 'Sum' */
  readonly statistic?: 'Sum' | 'Maximum';
  /** Alarm at this value or more. @default 1 */
  readonly threshold?: number;
}

/** Creates the alarm; no data (nothing ran) counts as fine, so an idle platform stays quiet. */
export function countAlarm(
  name: string,
  alarm: CountAlarm,
  topicArn: pulumi.Input<string>,
  parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm {
  return new aws.cloudwatch.MetricAlarm(
    name,
    {
      alarmDescription: alarm.description,
      namespace: alarm.namespace,
      metricName: alarm.metricName,
      dimensions: alarm.dimensions,
      statistic: alarm.statistic ?? 'Sum',
      period: 300,
      evaluationPeriods: 1,
      threshold: alarm.threshold ?? 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold',
      treatMissingData: 'notBreaching',
      alarmActions: [topicArn],
      okActions: [topicArn],
    },
    { parent },
  );
}
