import type { MessageHeader } from '@confluentinc/kafka-javascript';
import { z } from 'zod';

/** Header that tells data records from control records on the audience topic. */
export const RECORD_TYPE_HEADER = 'record-type';

/** Value of a data record: one user of one segmentation, from one import. */
export const UserRecord = z.object({
  type: z.literal('user'),
  userSegmentationId: z.string(),
  userId: z.string(),
  attributes: z.record(z.string(), z.string()),
  importId: z.string(),
});
export type UserRecord = z.infer<typeof UserRecord>;

/**
 * The same check as the `UserRecord` schema, by hand: an export checks every record it reads, and the schema's
 * parse costs more per record than reading it from Kafka.
 */
export function isUserRecord(value: unknown): value is UserRecord {
  const record = value as Partial<Record<keyof UserRecord, unknown>> | null;
  if (typeof record !== 'object' || record === null || record.type !== 'user') return false;
  if (typeof record.userSegmentationId !== 'string' || typeof record.userId !== 'string') return false;
  if (typeof record.importId !== 'string') return false;
  const attributes = record.attributes;
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) return false;
  for (const name in attributes)
    if (typeof (attributes as Record<string, unknown>)[name] !== 'string') return false;
  return true;
}

/** Value of the control record that closes an import or export; one is sent to every partition. */
export const EndMarkerRecord = z.object({
  type: z.literal('end_marker'),
  jobId: z.string(),
  jobKind: z.enum(['import', 'export']),
  userSegmentationId: z.string(),
  rowsProduced: z.number(),
  rowsRejected: z.number(),
  partitions: z.number(),
  /** Where the import's records start on each partition (index = partition); absent for older imports. */
  startOffsets: z.array(z.number().int().nonnegative()).optional(),
});
export type EndMarkerRecord = z.infer<typeof EndMarkerRecord>;

/** Key of an end-marker record; `__end__:` cannot collide with a user id because keys of users are bare ids. */
export function endMarkerKey(jobId: string): string {
  return `__end__:${jobId}`;
}

/** Reads the record-type header of a consumed Kafka message (librdkafka's list of one-entry header objects). */
export function recordType(headers: readonly MessageHeader[] | undefined): string | undefined {
  if (!headers) return undefined;
  for (const header of headers) {
    const value = header[RECORD_TYPE_HEADER];
    if (value !== undefined) return typeof value === 'string' ? value : value.toString('utf8');
  }
  return undefined;
}
