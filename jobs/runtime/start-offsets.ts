import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';

/**
 * Where an import's records start on each partition of the audience topic (index = partition), kept in the
 * import's status item as `startOffsets` (a list of numbers) so an export seeks there instead of reading the
 * records of every earlier import.
 */
export type StartOffsets = readonly number[];

/** Writes an import's start offsets into its status item (creating it if needed), touching nothing else. */
export async function recordStartOffsets(
  dynamodb: DynamoDBClient,
  tableName: string,
  jobId: string,
  offsets: StartOffsets,
): Promise<void> {
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { jobId: { S: jobId } },
      UpdateExpression: 'SET #startOffsets = :startOffsets',
      ExpressionAttributeNames: { '#startOffsets': 'startOffsets' },
      ExpressionAttributeValues: { ':startOffsets': { L: offsets.map((offset) => ({ N: String(offset) })) } },
    }),
  );
}

/** Reads an import's start offsets (strongly consistent), or undefined when it has none (an older import). */
export async function readStartOffsets(
  dynamodb: DynamoDBClient,
  tableName: string,
  jobId: string,
): Promise<StartOffsets | undefined> {
  const { Item } = await dynamodb.send(
    new GetItemCommand({
      TableName: tableName,
      Key: { jobId: { S: jobId } },
      ProjectionExpression: '#startOffsets',
      ExpressionAttributeNames: { '#startOffsets': 'startOffsets' },
      ConsistentRead: true,
    }),
  );
  const list = Item?.startOffsets?.L;
  if (!list) return undefined;
  const offsets = list.map((value) => Number(value.N));
  return offsets.every((offset) => Number.isInteger(offset) && offset >= 0) ? offsets : undefined;
}
