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

/** Value of the control record that closes an import or export; one is sent to every partition. */
export const EndMarkerRecord = z.object({
  type: z.literal('end_marker'),
  jobId: z.string(),
  jobKind: z.enum(['import', 'export']),
  userSegmentationId: z.string(),
  rowsProduced: z.number(),
  rowsRejected: z.number(),
  partitions: z.number(),
});
export type EndMarkerRecord = z.infer<typeof EndMarkerRecord>;

/** Key of an end-marker record; `__end__:` cannot collide with a user id because keys of users are bare ids. */
export function endMarkerKey(jobId: string): string {
  return `__end__:${jobId}`;
}

/** Reads the record-type header of a consumed Kafka message. */
export function recordType(headers: Record<string, unknown> | undefined): string | undefined {
  const value = headers?.[RECORD_TYPE_HEADER];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return Buffer.isBuffer(first) ? first.toString('utf8') : typeof first === 'string' ? first : undefined;
}
