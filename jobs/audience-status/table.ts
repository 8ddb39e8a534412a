import {
  type AttributeValue,
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  ResourceInUseException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

/** Creates the job-status table (on-demand, key `jobId`) unless it exists, and waits until it is active. */
export async function createStatusTable(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'jobId', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (let i = 0; i < 100; i++) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Table ${tableName} did not become ACTIVE`);
}

/** A job's status item as plain values (numbers as numbers, strings as strings). */
export type StatusItem = Record<string, string | number | boolean>;

function fromAttribute(value: AttributeValue): string | number | boolean | undefined {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  return undefined;
}

/** Converts a plain value to a DynamoDB attribute. */
export function toAttribute(value: string | number | boolean): AttributeValue {
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  return { S: value };
}

/** Reads a job's status item (strongly consistent), or undefined when the job has no item yet. */
export async function readStatusItem(
  dynamodb: DynamoDBClient,
  tableName: string,
  jobId: string,
): Promise<StatusItem | undefined> {
  const { Item } = await dynamodb.send(
    new GetItemCommand({ TableName: tableName, Key: { jobId: { S: jobId } }, ConsistentRead: true }),
  );
  if (!Item) return undefined;
  const item: StatusItem = {};
  for (const [name, value] of Object.entries(Item)) {
    const plain = fromAttribute(value);
    if (plain !== undefined) item[name] = plain;
  }
  return item;
}

/** Counts a Fargate job leaves in its status item for send-end-marker and the workflow. */
export interface JobCounts {
  rowsProduced: number;
  rowsRejected: number;
  [name: string]: number;
}

/**
 * Writes a job's summary counts into its status item (creating it if needed) without touching `status`,
 * so counts and transitions never overwrite each other.
 */
export async function recordJobCounts(
  dynamodb: DynamoDBClient,
  tableName: string,
  jobId: string,
  counts: JobCounts,
  now: Date,
): Promise<void> {
  const values: Record<string, AttributeValue> = { ':countsAt': { S: now.toISOString() } };
  const names: Record<string, string> = { '#countsAt': 'countsAt' };
  const sets = ['#countsAt = :countsAt'];
  for (const [name, value] of Object.entries(counts)) {
    names[`#${name}`] = name;
    values[`:${name}`] = { N: String(value) };
    sets.push(`#${name} = :${name}`);
  }
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { jobId: { S: jobId } },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}
