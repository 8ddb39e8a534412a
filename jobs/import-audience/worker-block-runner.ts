import { Worker } from 'node:worker_threads';
import type { RuntimeConfig } from '../runtime/config.ts';
import { JobError, type JobErrorName } from '../runtime/job-error.ts';
import type { BlockWorkerData, CarriedError, FromBlockWorker, ToBlockWorker } from './block-messages.ts';
import type { BlockOutcome, BlockSource, BlockTask } from './block-reader.ts';
import { BatchQueue, type BlockRun, type BlockRunner, deferred } from './block-run.ts';

/** Batches a worker may post before the job took one: its read-ahead (at most about 1 MiB each). */
const WORKER_CREDIT = 8;

/** The worker's script: the TypeScript source under tsx (tests, the local runner), the bundle's file in the image. */
function workerScript(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? new URL('./block-worker.ts', here)
    : new URL('./import-block-worker.mjs', here);
}

/** A block in flight: where its messages go. */
interface Pending {
  readonly started: ReturnType<typeof deferred<number>>;
  readonly outcome: ReturnType<typeof deferred<BlockOutcome>>;
  readonly queue: BatchQueue;
  cancelled: boolean;
}

function rebuilt(error: CarriedError): Error {
  if (error.jobError) return new JobError(error.name as JobErrorName, error.message);
  return Object.assign(new Error(error.message), { name: error.name });
}

/**
 * Reads blocks in `workers` worker threads, block i in worker i mod n: each reads its blocks in order, ahead of the
 * job by at most {@link WORKER_CREDIT} batches, so memory stays bounded while parsing runs beside producing.
 */
export function workerBlockRunner(workers: number, source: BlockSource, config: RuntimeConfig): BlockRunner {
  const data: BlockWorkerData = {
    source,
    s3: { endpoint: config.awsEndpoint, region: config.awsRegion },
    credit: WORKER_CREDIT,
  };
  const pending = new Map<number, Pending>();
  const pool = Array.from({ length: workers }, () => {
    const worker = new Worker(workerScript(), { workerData: data });
    worker.on('message', (message: FromBlockWorker) => {
      const block = pending.get(message.block);
      if (!block) return;
      switch (message.type) {
        case 'started':
          block.started.resolve(message.at);
          break;
        case 'batch':
          if (block.cancelled) worker.postMessage({ type: 'credit' } satisfies ToBlockWorker);
          else block.queue.put(message.batch);
          break;
        case 'end':
          pending.delete(message.block);
          block.queue.end();
          block.outcome.resolve(message.outcome);
          break;
        case 'error': {
          pending.delete(message.block);
          const error = rebuilt(message.error);
          block.started.reject(error);
          block.queue.fail(error);
          block.outcome.reject(error);
          break;
        }
      }
    });
    worker.on('error', (error) => {
      for (const [index, block] of pending) {
        if (index % workers !== pool.indexOf(worker)) continue;
        block.started.reject(error);
        block.queue.fail(error);
        block.outcome.reject(error);
      }
    });
    return worker;
  });
  return {
    start(task: BlockTask): BlockRun {
      const worker = pool[task.index % workers]!;
      const block: Pending = {
        started: deferred<number>(),
        outcome: deferred<BlockOutcome>(),
        queue: new BatchQueue(() => worker.postMessage({ type: 'credit' } satisfies ToBlockWorker)),
        cancelled: false,
      };
      pending.set(task.index, block);
      worker.postMessage({ type: 'block', task } satisfies ToBlockWorker);
      return {
        task,
        started: block.started.promise,
        batches: block.queue,
        outcome: block.outcome.promise,
        cancel: () => {
          block.cancelled = true;
          worker.postMessage({ type: 'cancel', block: task.index } satisfies ToBlockWorker);
        },
      };
    },
    close: async () => {
      await Promise.all(pool.map((worker) => worker.terminate()));
    },
  };
}
