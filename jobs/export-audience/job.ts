import { z } from 'zod';
import { defineJob } from '../../dsl/job.ts';
import { FormulaEscaping } from './csv-cells.ts';

/** The only prefix an export writes under: never `imports/` (that would start an import) nor `rejects/`. */
export const EXPORT_KEY_PREFIX = 'exports/';

/** An export's target key: under `exports/`, without empty, `.` or `..` segments that could read as another path. */
const ExportKey = z
  .string()
  .min(1)
  .max(1024)
  .startsWith(EXPORT_KEY_PREFIX, `must start with '${EXPORT_KEY_PREFIX}': an export writes nowhere else`)
  .refine(
    (key) =>
      key
        .slice(EXPORT_KEY_PREFIX.length)
        .split('/')
        .every((segment) => !['', '.', '..'].includes(segment)),
    'must not contain empty, . or .. path segments',
  );

/** Reads one segment's records from Kafka up to its end marker and writes them as CSV to S3. */
export const exportAudience = defineJob({
  name: 'export-audience',
  description: "Reads a segment's records from Kafka up to its end marker and writes CSV to S3",
  input: z.object({
    exportId: z.string().min(1).max(128),
    userSegmentationId: z.string().min(1).max(128),
    /** The import whose end marker bounds the export. */
    importId: z.string().min(1).max(128),
    s3Bucket: z.string().min(3).max(63),
    /** The CSV object written, under `exports/`. */
    s3Key: ExportKey,
    /** Formula neutralisation of attribute cells; the user id is never changed. 'none' exports re-import byte for byte. */
    formulaEscaping: FormulaEscaping.default('attributes'),
  }),
  output: z.object({
    rowsExported: z.number(),
    bytesWritten: z.number(),
    seconds: z.number(),
  }),
  runsOn: ['fargate'],
  module: 'jobs/export-audience/run.ts',
  errors: ['InvalidInput', 'EndMarkerNotFound'],
  needs: ['audienceBucket:write:exports', 'statusTable:read', 'statusTable:write', 'kafka'],
  resources: { fargate: { cpu: 1024, memoryMiB: 2048 } },
});
