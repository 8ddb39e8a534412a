import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { importEventInputTransformer, importEventPattern } from '../workflows/import-trigger.ts';
import { serviceRole } from './iam.ts';

/** Arguments of {@link ImportTrigger}. */
export interface ImportTriggerArgs {
  readonly bucketName: pulumi.Input<string>;
  /** The import starter's state machine (the `import-starter` workflow). */
  readonly starterArn: pulumi.Input<string>;
}

/**
 * S3 → EventBridge → Step Functions: a rule for objects created under `imports/` hands bucket and key to the
 * import starter workflow, which derives the import's typed input and starts the import named by its import id.
 */
export class ImportTrigger extends pulumi.ComponentResource {
  constructor(name: string, args: ImportTriggerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audience-io:trigger:ImportTrigger', name, {}, opts);
    this.objectCreatedRule(name, args);
    this.registerOutputs({});
  }

  private objectCreatedRule(name: string, args: ImportTriggerArgs): void {
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
      },
      { parent: this },
    );
  }
}
