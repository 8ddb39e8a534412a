// A worker thread that reads blocks of an import object (ranged GETs, scan, record rules, fingerprints, Kafka
// record encoding) and posts their batches to the job's thread, which produces them. Started by
// `worker-block-runner.ts`; bundled as dist/import-block-worker.mjs.
import { parentPort, workerData } from 'node:worker_threads';
import { S3Client } from '@aws-sdk/client-s3';
import { JobError } from '../runtime/job-error.ts';
import type { BlockWorkerData, CarriedError, FromBlockWorker, ToBlockWorker } from './block-messages.ts';
import { type BlockTask, readBlock } from './block-reader.ts';
import { transferables } from './row-batch.ts';

const data = workerData as BlockWorkerData;
const port = parentPort!;
const s3 = new S3Client({
  region: data.s3.region,
  ...(data.s3.endpoint ? { endpoint: data.s3.endpoint, forcePathStyle: true } : {}),
});
const tasks: BlockTask[] = [];
const cancelled = new Set<number>();
let credit = data.credit;
let creditArrived: (() => void) | undefined;
let wakeTasks: (() => void) | undefined;

const post = (message: FromBlockWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (message: ToBlockWorker) => {
  if (message.type === 'block') {
    tasks.push(message.task);
    wakeTasks?.();
  } else if (message.type === 'credit') {
    credit++;
    creditArrived?.();
  } else {
    cancelled.add(message.block);
    creditArrived?.();
  }
});

function carried(error: unknown): CarriedError {
  const named = error instanceof Error ? error : new Error(String(error));
  return { name: named.name, message: named.message, jobError: error instanceof JobError };
}

async function readTask(task: BlockTask): Promise<void> {
  const block = task.index;
  const isCancelled = () => cancelled.has(block);
  try {
    const outcome = await readBlock(
      s3,
      data.source,
      task,
      {
        started: (at) => post({ type: 'started', block, at }),
        batch: async (batch) => {
          while (credit === 0 && !isCancelled()) {
            await new Promise<void>((resolve) => {
              creditArrived = resolve;
            });
          }
          if (isCancelled()) return;
          credit--;
          post({ type: 'batch', block, batch }, transferables(batch));
        },
      },
      isCancelled,
    );
    post({ type: 'end', block, outcome });
  } catch (error) {
    post({ type: 'error', block, error: carried(error) });
  }
}

for (;;) {
  const task = tasks.shift();
  if (task) {
    await readTask(task);
    continue;
  }
  await new Promise<void>((resolve) => {
    wakeTasks = resolve;
  });
}
