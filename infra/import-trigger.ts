import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { importEventInputTransformer, importEventPattern } from '../workflows/import-trigger.ts';
import { countAlarm } from './alarm-topic.ts';
import { serviceRole } from './iam.ts';

/** Arguments of {@link ImportTrigger}. */
export interface ImportTriggerArgs {
  readonly bucketName: pulumi.Input<string>;
  /** The import starter's state machine (the `import-starter` workflow). */
  readonly starterArn: pulumi.Input<string>;
  /** Topic notified when an upload's import could not be started. */
  readonly alarmTopicArn: pulumi.Input<string>;
}

/**
 * How long and how often EventBridge retries starting the import starter (throttling, a brief outage) before
 * it gives the event to the dead-letter queue.
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html
 */
export const START_RETRY_POLICY = {
  maximumEventAgeInSeconds: 6 * 60 * 60,
  maximumRetryAttempts: 50,
} as const;

/** Days an event whose import never started stays in the dead-letter queue (SQS's maximum). */
const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 60 * 60;

/**
 * S3 → EventBridge → Step Functions: a rule for objects created as imports hands bucket and key to the import
 * starter workflow, which derives the import's typed input and starts the import named by its import id. An
 * event that cannot be delivered after the retries lands in a dead-letter queue, and an alarm says so.
 */
export class ImportTrigger extends pulumi.ComponentResource {
  /** The queue of events whose import never started. */
  readonly deadLetterQueueArn: pulumi.Output<string>;

  constructor(name: string, args: ImportTriggerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audience-io:trigger:ImportTrigger', name, {}, opts);
    const rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      {
        description:
          'Objects created as imports/<segment>/<importId>.csv(.gz) in the audience bucket start an import',
        eventPattern: pulumi
          .output(args.bucketName)
          .apply((bucket) => JSON.stringify(importEventPattern(bucket))),
      },
      { parent: this },
    );
    const deadLetters = this.deadLetterQueue(name, rule, args.alarmTopicArn);
    this.deadLetterQueueArn = deadLetters.arn;
    this.starterTarget(name, rule, args, deadLetters);
    this.registerOutputs({ deadLetterQueueArn: this.deadLetterQueueArn });
  }

  private deadLetterQueue(
    name: string,
    rule: aws.cloudwatch.EventRule,
    alarmTopicArn: pulumi.Input<string>,
  ): aws.sqs.Queue {
    const queue = new aws.sqs.Queue(
      `${name}-dead-letters`,
      { sqsManagedSseEnabled: true, messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS },
      { parent: this },
    );
    new aws.sqs.QueuePolicy(
      `${name}-dead-letters-policy`,
      {
        queueUrl: queue.url,
        policy: pulumi.jsonStringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'UndeliveredImportEvents',
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: queue.arn,
              Condition: { ArnEquals: { 'aws:SourceArn': rule.arn } },
            },
          ],
        }),
      },
      { parent: this },
    );
    countAlarm(
      `${name}-dead-letters-alarm`,
      {
        description: `audience-io (${pulumi.getStack()}): an uploaded import could not be started; its event is in the dead-letter queue`,
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: queue.name },
        statistic: 'Maximum',
      },
      alarmTopicArn,
      this,
    );
    return queue;
  }

  private starterTarget(
    name: string,
    rule: aws.cloudwatch.EventRule,
    args: ImportTriggerArgs,
    deadLetters: aws.sqs.Queue,
  ): void {
    const role = serviceRole(
      `${name}-events`,
      'events.amazonaws.com',
      [
        {
          Sid: 'StartImportStarter',
          Effect: 'Allow',
          Action: ['states:StartExecution'],
          Resource: [args.starterArn],
        },
      ],
      this,
    );
    new aws.cloudwatch.EventTarget(
      `${name}-target`,
      {
        rule: rule.name,
        arn: args.starterArn,
        roleArn: role.arn,
        inputTransformer: {
          inputPaths: { ...importEventInputTransformer.inputPaths },
          inputTemplate: importEventInputTransformer.inputTemplate,
        },
        retryPolicy: { ...START_RETRY_POLICY },
        deadLetterConfig: { arn: deadLetters.arn },
      },
      { parent: this },
    );
  }
}
