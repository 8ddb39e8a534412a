import * as pulumi from '@pulumi/pulumi';
import type { JobNeed } from '../dsl/job.ts';
import type { PolicyStatement } from './iam.ts';

/** The platform resources a job's needs refer to. */
export interface NeedTargets {
  readonly bucketArn: pulumi.Input<string>;
  readonly tableArn: pulumi.Input<string>;
  /** Secrets Manager secret with the Kafka SASL user name and password. */
  readonly kafkaSecretArn: pulumi.Input<string>;
}

/** The actions each need grants, on which resource; the one place needs become IAM. */
export const NEED_GRANTS: Readonly<
  Record<
    JobNeed,
    readonly { readonly actions: readonly string[]; readonly on: (t: NeedTargets) => pulumi.Input<string> }[]
  >
> = {
  // ListBucket makes a missing object a 404 (SourceNotFound) instead of a 403.
  'audienceBucket:read': [
    { actions: ['s3:GetObject'], on: (t) => objectsOf(t.bucketArn) },
    { actions: ['s3:ListBucket'], on: (t) => t.bucketArn },
  ],
  'audienceBucket:write': [
    {
      actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      on: (t) => objectsOf(t.bucketArn),
    },
  ],
  'statusTable:read': [{ actions: ['dynamodb:GetItem', 'dynamodb:Query'], on: (t) => t.tableArn }],
  'statusTable:write': [{ actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], on: (t) => t.tableArn }],
  kafka: [{ actions: ['secretsmanager:GetSecretValue'], on: (t) => t.kafkaSecretArn }],
};

/**
 * The statements a job's role gets for its needs. `kafka` is left out for a task role because ECS injects
 * the credentials through the task definition's `secrets` with the execution role instead.
 */
export function needStatements(
  needs: readonly JobNeed[],
  targets: NeedTargets,
  role: 'lambda' | 'task',
): PolicyStatement[] {
  return [...new Set(needs)]
    .filter((need) => !(role === 'task' && need === 'kafka'))
    .flatMap((need) =>
      NEED_GRANTS[need].map((grant, index) => ({
        Sid: `${sid(need)}${index}`,
        Effect: 'Allow' as const,
        Action: [...grant.actions],
        Resource: [grant.on(targets)],
      })),
    );
}

function objectsOf(bucketArn: pulumi.Input<string>): pulumi.Input<string> {
  return pulumi.interpolate`${bucketArn}/*`;
}

function sid(need: JobNeed): string {
  return need.replace(/[^A-Za-z0-9]/g, '');
}
