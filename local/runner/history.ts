import type { RunnerEvent } from './events.ts';

/** One state of an execution's history, as the final table shows it. */
export interface HistoryRow {
  readonly state: string;
  readonly stateType: string;
  /** succeeded; caught (failed, then a Catch moved on); failed (failed the execution); running (unfinished). */
  status: 'succeeded' | 'caught' | 'failed' | 'running';
  /** Times the state ran: 1 plus its retries. */
  attempts: number;
  readonly enteredAt: number;
  leftAt?: number;
  /** Error and cause of the last failed attempt. */
  error?: string;
  cause?: string;
}

/** Folds runner events into history rows, one per state entered (a state entered twice gets two rows). */
export class ExecutionHistory {
  readonly rows: HistoryRow[] = [];
  private readonly open = new Map<string, HistoryRow>();

  /** Applies one event. */
  add(event: RunnerEvent): void {
    switch (event.type) {
      case 'state-entered': {
        const row: HistoryRow = {
          state: event.state,
          stateType: event.stateType,
          status: 'running',
          attempts: 1,
          enteredAt: event.at,
        };
        this.rows.push(row);
        this.open.set(event.state, row);
        break;
      }
      case 'state-failed': {
        const row = this.open.get(event.state);
        if (row) Object.assign(row, { error: event.error, cause: event.cause });
        break;
      }
      case 'state-retried': {
        const row = this.open.get(event.state);
        if (row) row.attempts++;
        break;
      }
      case 'state-caught': {
        const row = this.open.get(event.state);
        if (row) row.status = 'caught';
        break;
      }
      case 'state-exited': {
        const row = this.open.get(event.state);
        if (row) {
          if (row.status === 'running') row.status = 'succeeded';
          row.leftAt = event.at;
          this.open.delete(event.state);
        }
        break;
      }
      case 'execution-finished': {
        // A state still open when the execution ends is the one that failed it (or was cut short).
        for (const row of this.open.values()) {
          row.status = event.status === 'SUCCEEDED' ? 'succeeded' : 'failed';
          row.leftAt = event.at;
        }
        this.open.clear();
        break;
      }
      default:
        break;
    }
  }
}
