/** Structured fields of one log event. */
export type LogFields = Record<string, unknown>;

/** A structured logger: one JSON object per line, one event per line. */
export interface JobLogger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/** Writes JSON log lines (`{time, level, job, event, ...fields}`) through `write` (stdout by default). */
export function jsonLineLogger(
  job: string,
  write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
  now: () => Date = () => new Date(),
): JobLogger {
  const emit = (level: string, event: string, fields?: LogFields) =>
    write(JSON.stringify({ time: now().toISOString(), level, job, event, ...fields }));
  return {
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
  };
}

/** A logger that keeps its lines in memory, for tests. */
export function memoryLogger(job = 'test'): JobLogger & { lines: LogFields[] } {
  const lines: LogFields[] = [];
  const logger = jsonLineLogger(job, (line) => lines.push(JSON.parse(line) as LogFields));
  return Object.assign(logger, { lines });
}
