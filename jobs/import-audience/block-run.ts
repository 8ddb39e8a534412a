import type { BlockOutcome, BlockTask } from './block-reader.ts';
import type { RowBatch } from './row-batch.ts';

/** One block being read (in a worker thread or in the job's own thread), as the job consumes it. */
export interface BlockRun {
  readonly task: BlockTask;
  /** The object offset of the block's first record, as soon as the reader knows it. */
  readonly started: Promise<number>;
  /** The block's batches in file order; each one taken lets the reader read on. */
  readonly batches: AsyncIterable<RowBatch>;
  /** Where the block ended, once it did; rejects with the reader's error. */
  readonly outcome: Promise<BlockOutcome>;
  /** Stops reading the block: its batches are dropped. */
  cancel(): void;
}

/** Starts blocks; the batches of a block come in order, blocks in any order. */
export interface BlockRunner {
  start(task: BlockTask): BlockRun;
  /** Stops every worker. */
  close(): Promise<void>;
}

/**
 * The batches of one block as they arrive, for the job to take in order: `put` never waits (the reader is held back
 * by credits or by `taken`), `taken` tells the reader a batch was consumed.
 */
export class BatchQueue {
  private readonly items: RowBatch[] = [];
  private ended = false;
  private failure: unknown;
  private wake: (() => void) | undefined;

  constructor(private readonly taken: () => void = () => undefined) {}

  put(batch: RowBatch): void {
    this.items.push(batch);
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  fail(error: unknown): void {
    this.failure = error;
    this.notify();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<RowBatch> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      const batch = this.items.shift();
      if (batch) {
        this.taken();
        yield batch;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** A promise with its resolve and reject at hand. */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A block whose outcome nobody awaits (cancelled) must not crash the process.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
