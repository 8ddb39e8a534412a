// The entry of a segment reader's worker thread (bundled as dist/export-segment-reader.mjs).
import { parentPort, workerData } from 'node:worker_threads';
import type { ReaderStart } from './reader-messages.ts';
import { type ReaderPort, runSegmentReader } from './segment-reader.ts';

if (!parentPort) throw new Error('segment-worker.ts runs as a worker thread');
// A failure leaves the worker as an uncaught error: the main thread's 'error' event, with name and message.
await runSegmentReader(workerData as ReaderStart, parentPort as unknown as ReaderPort);
parentPort.close();
