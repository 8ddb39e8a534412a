import type { BlockOutcome, BlockSource, BlockTask } from './block-reader.ts';
import type { RowBatch } from './row-batch.ts';

/** What a block worker is started with. */
export interface BlockWorkerData {
  readonly source: BlockSource;
  /** S3 endpoint and region (credentials come from the environment, as the job's own). */
  readonly s3: { readonly endpoint: string | undefined; readonly region: string };
  /** Batches the worker may send before the job took any. */
  readonly credit: number;
}

/** Job → worker. */
export type ToBlockWorker =
  | { readonly type: 'block'; readonly task: BlockTask }
  | { readonly type: 'credit' }
  | { readonly type: 'cancel'; readonly block: number };

/** An error as it crosses threads: its name (a job error's name is what the step sees) and message. */
export interface CarriedError {
  readonly name: string;
  readonly message: string;
  readonly jobError: boolean;
}

/** Worker → job. */
export type FromBlockWorker =
  | { readonly type: 'started'; readonly block: number; readonly at: number }
  | { readonly type: 'batch'; readonly block: number; readonly batch: RowBatch }
  | { readonly type: 'end'; readonly block: number; readonly outcome: BlockOutcome }
  | { readonly type: 'error'; readonly block: number; readonly error: CarriedError };
