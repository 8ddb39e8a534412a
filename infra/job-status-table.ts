import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** Partition key of the job-status table: one item per import or export job. */
export const STATUS_TABLE_KEY = 'jobId';

/** The DynamoDB table recording each import/export job's lifecycle: on demand, point-in-time recovery on. */
export class JobStatusTable extends pulumi.ComponentResource {
  readonly table: aws.dynamodb.Table;
  /** Table name (the jobs' `STATUS_TABLE`). */
  readonly name: pulumi.Output<string>;
  /** Table ARN. */
  readonly arn: pulumi.Output<string>;

  constructor(name: string, _args: Record<string, never> = {}, opts?: pulumi.ComponentResourceOptions) {
    super('audience-io:storage:JobStatusTable', name, {}, opts);
    this.table = new aws.dynamodb.Table(
      `${name}-table`,
      {
        billingMode: 'PAY_PER_REQUEST',
        hashKey: STATUS_TABLE_KEY,
        attributes: [{ name: STATUS_TABLE_KEY, type: 'S' }],
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true },
      },
      { parent: this },
    );
    this.name = this.table.name;
    this.arn = this.table.arn;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
