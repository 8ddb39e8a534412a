import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { createStatusTable } from '../../jobs/audience-status/table.ts';
import { dynamodbClient, s3Client } from '../../jobs/runtime/clients.ts';
import { runtimeConfig } from '../../jobs/runtime/config.ts';
import { ensureLocalServices } from '../services/index.ts';

/** The bucket local commands use unless told otherwise (`AUDIENCE_BUCKET`). */
export const DEFAULT_LOCAL_BUCKET = 'audience-io-local';

/**
 * Makes the local services available (starting the embedded ones unless KAFKA_BROKERS / AWS_ENDPOINT_URL name
 * others) and creates what `pulumi up` would have created: the job-status table and, when named, the bucket.
 */
export async function prepareLocalResources(bucket?: string): Promise<{ s3: S3Client; statusTable: string }> {
  await ensureLocalServices();
  const config = runtimeConfig(process.env);
  const dynamodb = dynamodbClient(config);
  await createStatusTable(dynamodb, config.statusTable).finally(() => dynamodb.destroy());
  const s3 = s3Client(config);
  if (bucket) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: unknown) => {
      if (
        (error as Error).name !== 'BucketAlreadyOwnedByYou' &&
        (error as Error).name !== 'BucketAlreadyExists'
      )
        throw error;
    });
  }
  return { s3, statusTable: config.statusTable };
}
