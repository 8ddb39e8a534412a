import type { S3Client } from '@aws-sdk/client-s3';
import { type BlockSource, type BlockTask, readBlock } from './block-reader.ts';
import { BatchQueue, type BlockRun, type BlockRunner, deferred } from './block-run.ts';

/** Batches a block may read ahead of the job in its own thread. */
const AHEAD = 2;

/**
 * Reads blocks in the job's own thread, with the job's own S3 client (small objects, and tests that inject faults
 * into the client). Batches are read ahead of the consumer by at most {@link AHEAD}.
 */
export function inlineBlockRunner(s3: S3Client, source: BlockSource): BlockRunner {
  return {
    start(task: BlockTask): BlockRun {
      const started = deferred<number>();
      const outcome = deferred<Awaited<ReturnType<typeof readBlock>>>();
      let waiting: (() => void) | undefined;
      let ahead = 0;
      let cancelled = false;
      const queue = new BatchQueue(() => {
        ahead--;
        const wake = waiting;
        waiting = undefined;
        wake?.();
      });
      readBlock(
        s3,
        source,
        task,
        {
          started: started.resolve,
          batch: async (batch) => {
            ahead++;
            queue.put(batch);
            while (ahead >= AHEAD && !cancelled) {
              await new Promise<void>((resolve) => {
                waiting = resolve;
              });
            }
          },
        },
        () => cancelled,
      ).then(
        (result) => {
          queue.end();
          outcome.resolve(result);
        },
        (error: unknown) => {
          started.reject(error);
          queue.fail(error);
          outcome.reject(error);
        },
      );
      return {
        task,
        started: started.promise,
        batches: queue,
        outcome: outcome.promise,
        cancel: () => {
          cancelled = true;
          waiting?.();
        },
      };
    },
    close: async () => undefined,
  };
}
