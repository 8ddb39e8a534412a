/**
 * CloudWatch Embedded Metric Format: a job's summary counts written as one JSON log line that CloudWatch Logs
 * turns into metrics (no PutMetricData call, no extra permission). A job whose output reports `seconds` and
 * `rows…` counts (import, export) gets each `rows…` and `bytes…` count, its seconds and its rows per second.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

/** Environment variable naming the metrics' CloudWatch namespace (infrastructure sets `audience-io/<stack>`). */
export const METRICS_NAMESPACE_VARIABLE = 'METRICS_NAMESPACE';

/** Namespace when the environment names none (local runs). */
export const DEFAULT_METRICS_NAMESPACE = 'audience-io/local';

/** The one dimension of every job metric. */
export const JOB_DIMENSION = 'Job';

/** The derived throughput metric. */
export const ROWS_PER_SECOND = 'RowsPerSecond';

/** A CloudWatch unit the jobs' metrics use. */
export type MetricUnit = 'Count' | 'Bytes' | 'Seconds' | 'Count/Second';

/** One metric a job's output yields. */
export interface MetricDefinition {
  /** CloudWatch metric name: the output field in PascalCase (`rowsRead` → `RowsRead`). */
  readonly name: string;
  readonly unit: MetricUnit;
}

const ROWS = /^rows[A-Z]/;
const BYTES = /^bytes[A-Z]/;

/**
 * The metrics a job with these output fields emits: none unless it reports `seconds` and a `rows…` count.
 * Rows per second counts the rows the job read (`rowsRead`), or else its first `rows…` field.
 */
export function metricDefinitions(outputFields: readonly string[]): MetricDefinition[] {
  const rows = outputFields.filter((field) => ROWS.test(field));
  if (!outputFields.includes('seconds') || rows.length === 0) return [];
  return [
    ...rows.map((field) => ({ name: metricName(field), unit: 'Count' as const })),
    ...outputFields
      .filter((f) => BYTES.test(f))
      .map((field) => ({ name: metricName(field), unit: 'Bytes' as const })),
    { name: 'Seconds', unit: 'Seconds' },
    { name: ROWS_PER_SECOND, unit: 'Count/Second' },
  ];
}

/** The EMF log line of one job run's output, or undefined when the output yields no metrics. */
export function metricsLine(
  job: string,
  output: unknown,
  namespace: string,
  now: () => number = Date.now,
): string | undefined {
  if (typeof output !== 'object' || output === null) return undefined;
  const values = output as Record<string, unknown>;
  const numeric = Object.keys(values).filter((field) => typeof values[field] === 'number');
  const definitions = metricDefinitions(numeric);
  if (definitions.length === 0) return undefined;
  const seconds = values.seconds as number;
  const rowsField = numeric.includes('rowsRead') ? 'rowsRead' : numeric.find((f) => ROWS.test(f))!;
  const measured: Record<string, number> = {};
  for (const field of numeric.filter((f) => ROWS.test(f) || BYTES.test(f) || f === 'seconds')) {
    measured[metricName(field)] = values[field] as number;
  }
  // A run too short to time still moved its rows: report them as done within a millisecond.
  measured[ROWS_PER_SECOND] = Math.round((values[rowsField] as number) / Math.max(seconds, 0.001));
  return JSON.stringify({
    _aws: {
      Timestamp: now(),
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [[JOB_DIMENSION]],
          Metrics: definitions.map(({ name, unit }) => ({ Name: name, Unit: unit })),
        },
      ],
    },
    type: 'metrics',
    [JOB_DIMENSION]: job,
    ...measured,
  });
}

/** The namespace named by the environment, or the local default. */
export function metricsNamespace(env: Record<string, string | undefined> = process.env): string {
  return env[METRICS_NAMESPACE_VARIABLE] || DEFAULT_METRICS_NAMESPACE;
}

function metricName(field: string): string {
  return field.charAt(0).toUpperCase() + field.slice(1);
}
