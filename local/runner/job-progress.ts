import type { JobProgress } from './events.ts';

/** Progress log events of the jobs (`import-progress`, `export-progress`, …) and the row count field each carries. */
const ROW_FIELDS: Readonly<Record<string, { rows: string; done: boolean }>> = {
  'import-progress': { rows: 'rowsRead', done: false },
  'import-chunk-committed': { rows: 'rowsRead', done: false },
  'import-complete': { rows: 'rowsRead', done: true },
  'export-progress': { rows: 'rowsExported', done: false },
  'export-complete': { rows: 'rowsExported', done: true },
};

/** Reads a job's JSON log line as progress, or undefined when the line is not a progress event. */
export function parseJobProgress(line: string): JobProgress | undefined {
  if (!line.startsWith('{')) return undefined;
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const fields = typeof event.event === 'string' ? ROW_FIELDS[event.event] : undefined;
  const rows = fields ? event[fields.rows] : undefined;
  if (!fields || typeof rows !== 'number') return undefined;
  const total = typeof event.rowsTotal === 'number' ? event.rowsTotal : undefined;
  return { rows, done: fields.done, ...(total !== undefined ? { total } : {}) };
}
