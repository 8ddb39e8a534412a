import { type AttributeValue, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

/**
 * Names of one shard's artefacts, as the step that closes a sharded import reads them (see
 * `shard-contract` in the issue-9 notes of the README): status item, rejects part and fingerprint file.
 */
export const shardNames = {
  /** The run id of a shard: its transactional id and checkpoint group are named after it. */
  runId: (importId: string, shardIndex: number) => `${importId}-shard-${shardIndex}`,
  /** The status item of a shard's summary. */
  statusJobId: (importId: string, shardIndex: number) => `${importId}#shard-${shardIndex}`,
  /** A shard's rejected rows, with shard-local lines. */
  rejectsKey: (importId: string, shardIndex: number) => `rejects/${importId}/shard-${shardIndex}.csv`,
  /** A shard's user id fingerprints, sorted (`SeenUserIds.writeSortedFingerprints`). */
  fingerprintsKey: (importId: string, shardIndex: number) => `rejects/${importId}/shard-${shardIndex}.ids`,
} as const;

/** What a shard reports for the step that closes the import. */
export interface ShardSummary {
  readonly rowsRead: number;
  readonly rowsProduced: number;
  readonly rowsRejected: number;
  readonly bytesRead: number;
  readonly firstRecordStart: number;
  readonly nextRecordStart: number;
  readonly lineCount: number;
  readonly startOffsets: readonly number[] | undefined;
  readonly rejectsPartKey: string | undefined;
  readonly fingerprintsKey: string;
}

/** Writes a shard's summary into its status item in one update; `countsAt` says it is complete. */
export async function recordShardSummary(
  dynamodb: DynamoDBClient,
  tableName: string,
  jobId: string,
  summary: ShardSummary,
  now: Date,
): Promise<void> {
  const values: Record<string, AttributeValue> = { ':countsAt': { S: now.toISOString() } };
  for (const [name, value] of Object.entries(summary)) {
    if (value === undefined) continue;
    values[`:${name}`] =
      typeof value === 'number'
        ? { N: String(value) }
        : typeof value === 'string'
          ? { S: value }
          : { L: (value as readonly number[]).map((n) => ({ N: String(n) })) };
  }
  const names = Object.fromEntries(Object.keys(values).map((key) => [`#${key.slice(1)}`, key.slice(1)]));
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { jobId: { S: jobId } },
      UpdateExpression: `SET ${Object.keys(values)
        .map((key) => `#${key.slice(1)} = ${key}`)
        .join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}
