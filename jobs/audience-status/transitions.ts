import type { JobStatus, StatusEvent } from './job.ts';

/** One legal move: the states an event may start from and the state it leads to. */
export interface Transition {
  readonly from: readonly JobStatus[];
  readonly to: JobStatus;
}

/** The lifecycle of each job kind; a job without an item is `pending`. */
export const transitions: Record<'import' | 'export', Partial<Record<StatusEvent, Transition>>> = {
  import: {
    start_importing: { from: ['pending'], to: 'importing' },
    finish_importing: { from: ['importing'], to: 'imported' },
    fail: { from: ['pending', 'importing'], to: 'failed' },
  },
  export: {
    start_exporting: { from: ['pending'], to: 'exporting' },
    finish_exporting: { from: ['exporting'], to: 'exported' },
    fail: { from: ['pending', 'exporting'], to: 'failed' },
  },
};
