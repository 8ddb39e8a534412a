import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  importEventInputTransformer,
  importEventPattern,
  importStarterDefinition,
} from '../workflows/import-trigger.ts';
import { serviceRole } from './iam.ts';
import { WorkflowStateMachine } from './workflow-state-machine.ts';

/** Arguments of {@link ImportTrigger}. */
export interface ImportTriggerArgs {
  readonly bucketName: pulumi.Input<string>;
  /** The import workflow's state machine. */
  readonly importStateMachineArn: pulumi.Input<string>;
  readonly logLevel: 'ERROR' | 'ALL';
  readonly logRetentionDays: number;
}

/**
 * S3 → EventBridge → Step Functions: a rule for objects created under `imports/` hands bucket and key to the
 * import starter, which derives the import's typed input and starts the import workflow named by its import id.
 */
export class ImportTrigger extends pulumi.ComponentResource {
  /** ARN of the import starter state machine. */
  readonly starterArn: pulumi.Output<string>;

  constructor(name: string, args: ImportTriggerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audience-io:trigger:ImportTrigger', name, {}, opts);
    const starter = this.importStarter(name, args);
    this.starterArn = starter.arn;
    this.objectCreatedRule(name, args, starter);
    this.registerOutputs({ starterArn: this.starterArn });
  }

  private importStarter(name: string, args: ImportTriggerArgs): WorkflowStateMachine {
    return new WorkflowStateMachine(
      `${name}-starter`,
      {
        source: {
          name: 'import-starter',
          definition: importStarterDefinition(args.importStateMachineArn),
          permissions: [
            {
              Sid: 'StartImportWorkflow',
              Effect: 'Allow',
              Action: ['states:StartExecution'],
              Resource: [args.importStateMachineArn],
            },
          ],
        },
        logLevel: args.logLevel,
        logRetentionDays: args.logRetentionDays,
      },
      { parent: this },
    );
  }

  private objectCreatedRule(name: string, args: ImportTriggerArgs, starter: WorkflowStateMachine): void {
    const rule = new aws.cloudwatch.EventRule(
      `${name}-rule`,
      {
        description: 'Objects created under imports/ in the audience bucket start an import',
        eventPattern: pulumi
          .output(args.bucketName)
          .apply((bucket) => JSON.stringify(importEventPattern(bucket))),
      },
      { parent: this },
    );
    const role = serviceRole(
      `${name}-events`,
      'events.amazonaws.com',
      [
        {
          Sid: 'StartImportStarter',
          Effect: 'Allow',
          Action: ['states:StartExecution'],
          Resource: [starter.arn],
        },
      ],
      this,
    );
    new aws.cloudwatch.EventTarget(
      `${name}-target`,
      {
        rule: rule.name,
        arn: starter.arn,
        roleArn: role.arn,
        inputTransformer: {
          inputPaths: { ...importEventInputTransformer.inputPaths },
          inputTemplate: importEventInputTransformer.inputTemplate,
        },
      },
      { parent: this },
    );
  }
}
