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

/** What one need allows: IAM actions on one resource, and the SDK operations of the job code they serve. */
export interface NeedGrant {
  /**
   * The operations a job holding the need sends, as `<Service>.<Operation>` (`S3.GetObject`): every one is
   * authorised by `actions`, and every action is there for one of them (a test records what jobs really send).
   */
  readonly operations: readonly string[];
  readonly actions: readonly string[];
  /** The resource, from the deployed targets. */
  readonly on: (t: NeedTargets) => pulumi.Input<string>;
  /** Object key prefix the resource is limited to, for audience bucket grants on objects. */
  readonly keyPrefix?: string;
}

/** Operations of a multipart or single upload (`@aws-sdk/lib-storage`), all authorised by `s3:PutObject`. */
const UPLOAD_OPERATIONS = [
  'S3.PutObject',
  'S3.CreateMultipartUpload',
  'S3.UploadPart',
  'S3.CompleteMultipartUpload',
];

/** Writing objects under a prefix: uploads, and aborting a multipart upload that failed. */
function writeUnder(prefix: string): NeedGrant[] {
  return [
    {
      operations: UPLOAD_OPERATIONS,
      actions: ['s3:PutObject'],
      on: (t) => objectsUnder(t, prefix),
      keyPrefix: prefix,
    },
    {
      operations: ['S3.AbortMultipartUpload'],
      actions: ['s3:AbortMultipartUpload'],
      on: (t) => objectsUnder(t, prefix),
      keyPrefix: prefix,
    },
  ];
}

/** The actions each need grants, on which resource; the one place needs become IAM. */
export const NEED_GRANTS: Readonly<Record<JobNeed, readonly NeedGrant[]>> = {
  'audienceBucket:read:imports': [
    {
      operations: ['S3.GetObject', 'S3.HeadObject'],
      actions: ['s3:GetObject'],
      on: (t) => objectsUnder(t, 'imports/'),
      keyPrefix: 'imports/',
    },
    // S3 answers a GetObject of a missing key with 404 (the import's SourceNotFound) only to a caller that may
    // list the bucket, and evaluates that without a prefix, so a prefix condition would turn it into a 403.
    { operations: ['S3.GetObject'], actions: ['s3:ListBucket'], on: (t) => t.bucketArn },
  ],
  // The reduce step of a sharded import reads the shards' rejects parts and fingerprint files back.
  'audienceBucket:read:rejects': [
    {
      operations: ['S3.GetObject'],
      actions: ['s3:GetObject'],
      on: (t) => objectsUnder(t, 'rejects/'),
      keyPrefix: 'rejects/',
    },
  ],
  'audienceBucket:write:rejects': writeUnder('rejects/'),
  'audienceBucket:write:exports': writeUnder('exports/'),
  'statusTable:read': [
    { operations: ['DynamoDB.GetItem'], actions: ['dynamodb:GetItem'], on: (t) => t.tableArn },
  ],
  'statusTable:write': [
    { operations: ['DynamoDB.UpdateItem'], actions: ['dynamodb:UpdateItem'], on: (t) => t.tableArn },
  ],
  kafka: [
    {
      operations: ['SecretsManager.GetSecretValue'],
      actions: ['secretsmanager:GetSecretValue'],
      on: (t) => t.kafkaSecretArn,
    },
  ],
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
  return grantsOf(needs, role).map(({ need, grant, index }) => ({
    Sid: `${sid(need)}${index}`,
    Effect: 'Allow' as const,
    Action: [...grant.actions],
    Resource: [grant.on(targets)],
  }));
}

/** The grants a role gets for `needs`, each with its need and its position in the need's list. */
export function grantsOf(
  needs: readonly JobNeed[],
  role: 'lambda' | 'task',
): { need: JobNeed; grant: NeedGrant; index: number }[] {
  return [...new Set(needs)]
    .filter((need) => !(role === 'task' && need === 'kafka'))
    .flatMap((need) => NEED_GRANTS[need].map((grant, index) => ({ need, grant, index })));
}

function objectsUnder(t: NeedTargets, prefix: string): pulumi.Input<string> {
  return pulumi.interpolate`${t.bucketArn}/${prefix}*`;
}

function sid(need: JobNeed): string {
  return need
    .replace(/(^|[^A-Za-z0-9])([a-z])/g, (_, _sep: string, c: string) => c.toUpperCase())
    .replace(/[^A-Za-z0-9]/g, '');
}
