import type { RunnerEvent } from './events.ts';
import type { LocalExecution } from './execution.ts';

/** How the console report writes. */
export interface ConsoleReportOptions {
  /** Where lines go. @default process.stdout */
  readonly out?: NodeJS.WriteStream;
  /** Print every job log line (otherwise warnings, errors and non-JSON lines only). @default false */
  readonly verbose?: boolean;
  /** Rows a state is expected to handle, when known beforehand (for the progress bar). */
  readonly totals?: Readonly<Record<string, number>>;
}

const BAR_WIDTH = 30;
/** Without a terminal, a progress line at most this often. */
const PLAIN_PROGRESS_MS = 5000;

/**
 * Renders runner events on a console: each state as it enters and leaves (with retries and catches), job log
 * lines, a progress bar with rows/s for steps that log progress; `summary` prints the history table.
 */
export class ConsoleReport {
  private readonly out: NodeJS.WriteStream;
  private readonly tty: boolean;
  private startedAt = Date.now();
  private bar: { state: string; line: string } | undefined;
  private readonly enteredAt = new Map<string, number>();
  private lastPlainProgress = 0;

  constructor(private readonly options: ConsoleReportOptions = {}) {
    this.out = options.out ?? process.stdout;
    this.tty = this.out.isTTY === true;
  }

  /** The listener to pass as `onEvent`. */
  readonly onEvent = (event: RunnerEvent): void => {
    const clock = `${((event.at - this.startedAt) / 1000).toFixed(1).padStart(7)} s`;
    switch (event.type) {
      case 'execution-started':
        this.startedAt = event.at;
        this.line(`execution ${event.name}\n  ${event.arn}`);
        break;
      case 'state-entered':
        this.enteredAt.set(event.state, event.at);
        this.line(`${clock}  → ${event.state} (${event.stateType})`);
        break;
      case 'state-exited':
        this.clearBar();
        this.line(`${clock}  ← ${event.state}`);
        break;
      case 'state-failed':
        this.clearBar();
        this.line(`${clock}  ✗ ${event.state} failed: ${event.error}: ${firstLine(event.cause)}`);
        break;
      case 'state-retried':
        this.line(`${clock}  ↻ ${event.state} retry ${event.attempt}`);
        break;
      case 'state-caught':
        this.line(`${clock}  ⤷ ${event.state} caught → ${event.next}`);
        break;
      case 'task-log':
        if (this.options.verbose || isNoteworthy(event.line))
          this.line(`           │ ${event.state}: ${event.line}`);
        break;
      case 'task-progress': {
        // A total said once (the import estimates it from bytes read) holds until the job says another.
        const total =
          event.progress.total ?? this.totals.get(event.state) ?? this.options.totals?.[event.state];
        if (total !== undefined) this.totals.set(event.state, total);
        this.progress(event.state, event.progress.rows, total, event.at);
        break;
      }
      case 'execution-joined':
        this.line(`execution ${event.name} is already running with this input: joined it\n  ${event.arn}`);
        break;
      case 'callback-waiting':
        this.line(
          `${clock}  ⏸ ${event.state} waits for a callback: aws stepfunctions send-task-success --endpoint-url ${event.endpoint} --task-token '${event.token}' --task-output '{}'`,
        );
        break;
      case 'execution-finished':
        this.clearBar();
        break;
    }
  };

  /** Prints the execution history table and, on failure, the failed state and its cause. */
  summary(execution: LocalExecution): void {
    const rows = execution.history.map((row) => [
      row.state,
      row.stateType,
      row.status,
      String(row.attempts),
      row.leftAt !== undefined ? `${((row.leftAt - row.enteredAt) / 1000).toFixed(2)} s` : '',
    ]);
    const header = ['state', 'type', 'status', 'attempts', 'duration'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const format = (cells: string[]) =>
      cells
        .map((cell, i) => (i === 3 || i === 4 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ');
    this.line('');
    this.line(format(header));
    this.line(widths.map((w) => '─'.repeat(w)).join('  '));
    for (const row of rows) this.line(format(row));
    this.line('');
    const seconds = ((execution.stoppedAt - execution.startedAt) / 1000).toFixed(1);
    this.line(`${execution.status} in ${seconds} s: ${execution.name}`);
    if (execution.status !== 'SUCCEEDED') {
      if (execution.failedState) this.line(`failed state: ${execution.failedState}`);
      const failed = execution.history.find((row) => row.state === execution.failedState);
      this.line(`error: ${failed?.error ?? execution.error}`);
      this.line(`cause: ${failed?.cause ?? execution.cause}`);
    }
  }

  private readonly totals = new Map<string, number>();

  private progress(state: string, rows: number, total: number | undefined, at: number): void {
    // Rows per second since the state began, start-up included (as a user waiting for it sees it).
    const seconds = Math.max((at - (this.enteredAt.get(state) ?? at)) / 1000, 0.001);
    const rate = Math.round(rows / seconds);
    const fraction = total ? Math.min(rows / total, 1) : undefined;
    const bar =
      fraction !== undefined
        ? `[${'█'.repeat(Math.round(fraction * BAR_WIDTH)).padEnd(BAR_WIDTH, '░')}] ${(fraction * 100).toFixed(0).padStart(3)}%`
        : `[${spinner(rows)}]`;
    const text = `           ${bar} ${rows.toLocaleString('en-US')}${total ? ` / ${total.toLocaleString('en-US')}` : ''} rows  ${rate.toLocaleString('en-US')} rows/s  (${state})`;
    if (this.tty) {
      this.bar = { state, line: text };
      this.out.write(`\r\x1b[2K${text}`);
    } else if (at - this.lastPlainProgress >= PLAIN_PROGRESS_MS) {
      this.lastPlainProgress = at;
      this.out.write(`${text}\n`);
    }
  }

  private clearBar(): void {
    if (this.bar && this.tty) this.out.write(`\r\x1b[2K${this.bar.line}\n`);
    this.bar = undefined;
  }

  private line(text: string): void {
    if (this.bar && this.tty) this.out.write('\r\x1b[2K');
    this.out.write(`${text}\n`);
    if (this.bar && this.tty) this.out.write(this.bar.line);
  }
}

/** Job lines worth showing without --verbose: warnings, errors, summaries, metrics and anything not JSON. */
function isNoteworthy(line: string): boolean {
  if (!line.startsWith('{')) return line.trim() !== '';
  if (line.includes('"event":"kafka"')) return line.includes('"level":"error"');
  return /"level":"(warn|error)"|"type":"(summary|metrics)"|-complete"|"event":"job-failed"/.test(line);
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function spinner(rows: number): string {
  const position = Math.floor(rows / 1000) % BAR_WIDTH;
  return `${' '.repeat(position)}███`.padEnd(BAR_WIDTH + 3).slice(0, BAR_WIDTH);
}
