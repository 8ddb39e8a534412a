import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

/** Arguments of {@link AudienceBucket}. */
export interface AudienceBucketArgs {
  /** Days after which objects under `rejects/` (rows that failed validation) are deleted. */
  readonly rejectsExpirationDays: number;
  /** Keep replaced and deleted objects as noncurrent versions for {@link NONCURRENT_VERSION_DAYS} days. */
  readonly versioning: boolean;
}

/** Days a replaced or deleted object stays recoverable when versioning is on. */
export const NONCURRENT_VERSION_DAYS = 30;

/**
 * The bucket imports are dropped into (`imports/`) and exports written to: encrypted, never public,
 * TLS only, optionally versioned, with EventBridge notifications on so an upload can start the import workflow.
 */
export class AudienceBucket extends pulumi.ComponentResource {
  readonly bucket: aws.s3.Bucket;
  /** Bucket name. */
  readonly name: pulumi.Output<string>;
  /** Bucket ARN. */
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: AudienceBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audience-io:storage:AudienceBucket', name, {}, opts);
    this.bucket = new aws.s3.Bucket(`${name}-bucket`, {}, { parent: this });
    this.name = this.bucket.bucket;
    this.arn = this.bucket.arn;
    this.blockPublicAccess(name);
    this.encryptAtRest(name);
    this.requireTls(name);
    const versioning = args.versioning ? this.keepVersions(name) : undefined;
    this.expireObjects(name, args, versioning);
    this.notifyEventBridge(name);
    this.registerOutputs({ name: this.name, arn: this.arn });
  }

  private blockPublicAccess(name: string): void {
    new aws.s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: this.bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } },
      { parent: this },
    );
    new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access-block`,
      {
        bucket: this.bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent: this },
    );
  }

  private encryptAtRest(name: string): void {
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: this.bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' }, bucketKeyEnabled: true }],
      },
      { parent: this },
    );
  }

  private requireTls(name: string): void {
    new aws.s3.BucketPolicy(
      `${name}-tls-only`,
      {
        bucket: this.bucket.id,
        policy: pulumi.jsonStringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DenyInsecureTransport',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [this.bucket.arn, pulumi.interpolate`${this.bucket.arn}/*`],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        }),
      },
      { parent: this },
    );
  }

  private keepVersions(name: string): aws.s3.BucketVersioning {
    return new aws.s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: this.bucket.id, versioningConfiguration: { status: 'Enabled' } },
      { parent: this },
    );
  }

  private expireObjects(
    name: string,
    args: AudienceBucketArgs,
    versioning: aws.s3.BucketVersioning | undefined,
  ): void {
    const rules: aws.types.input.s3.BucketLifecycleConfigurationRule[] = [
      {
        id: 'expire-rejects',
        status: 'Enabled',
        filter: { prefix: 'rejects/' },
        expiration: { days: args.rejectsExpirationDays },
      },
      {
        id: 'abort-incomplete-multipart-uploads',
        status: 'Enabled',
        filter: {},
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
    ];
    if (args.versioning) {
      rules.push({
        id: 'expire-noncurrent-versions',
        status: 'Enabled',
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_VERSION_DAYS },
        expiration: { expiredObjectDeleteMarker: true },
      });
    }
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      { bucket: this.bucket.id, rules },
      // AWS asks for versioning to be configured before lifecycle rules that read it.
      { parent: this, dependsOn: versioning ? [versioning] : [] },
    );
  }

  private notifyEventBridge(name: string): void {
    new aws.s3.BucketNotification(
      `${name}-notifications`,
      { bucket: this.bucket.id, eventbridge: true },
      { parent: this },
    );
  }
}
