import type { S3Client } from '@aws-sdk/client-s3';
import type { RuntimeConfig } from '../runtime/config.ts';
import { JobError } from '../runtime/job-error.ts';
import type { BlockOutcome, BlockSource, BlockTask } from './block-reader.ts';
import type { BlockRun, BlockRunner } from './block-run.ts';
import { ImportBatch } from './import-batch.ts';
import { inlineBlockRunner } from './inline-block-runner.ts';
import { type ObjectHeader, readObjectHeader } from './read-header.ts';
import { SeenUserIds } from './seen-user-ids.ts';
import { rowEstimate, type SourceObjectRef } from './source-object.ts';
import type { RecordLabels } from './user-record.ts';
import { workerBlockRunner } from './worker-block-runner.ts';

/** A byte range of the object: one shard of a sharded import (records starting in it, as the contract says). */
export interface ShardRange {
  readonly shardIndex: number;
  readonly rangeStart: number;
  readonly rangeEnd: number;
}

/** How to read one import object. */
export interface ImportReadingOptions extends SourceObjectRef, RecordLabels {
  /** The object version to read (If-Match on every GET), from a plan or an earlier run. */
  readonly etag: string | undefined;
  /** Only this range (a shard); the whole object when absent. */
  readonly shard?: ShardRange;
  readonly config: Pick<
    RuntimeConfig,
    'importBlockBytes' | 'importParserWorkers' | 'awsEndpoint' | 'awsRegion'
  >;
}

/** Where the records read lie in the object (a shard's summary for the step that closes a sharded import). */
export interface ReadExtent {
  readonly firstRecordStart: number;
  readonly nextRecordStart: number;
  /** Physical lines from `firstRecordStart` to `nextRecordStart` (with the header's, from the object's start). */
  readonly lineCount: number;
}

/**
 * The rows of an import object in file order, read in blocks by ranged GETs, parsed in worker threads (or in the
 * job's thread for small objects) while the job produces. Each block after the first starts at a line start it
 * guesses; the block before it says where its last record really ends, and a wrong guess (a quoted line break
 * across the boundary) is read again from the right place, so the rows are exactly those of a reading from the
 * start. Gzip objects are read whole, from the start, in one worker.
 */
export class ImportReading {
  /** Object offset just past the last batch taken (progress). */
  private reached: number;
  private extent: ReadExtent | undefined;
  private rowsSeen = 0;
  private presized = false;
  /** Blocks read again from where the block before them ended (their guessed start was inside a record). */
  blocksReread = 0;

  private constructor(
    private readonly s3: S3Client,
    private readonly options: ImportReadingOptions,
    readonly object: ObjectHeader,
    readonly userIds: SeenUserIds,
    private readonly source: BlockSource,
    private readonly runner: BlockRunner,
    private readonly tasks: readonly BlockTask[],
    private readonly firstLine: number,
  ) {
    this.reached = tasks[0]?.exactStart ?? tasks[0]?.start ?? object.headerEnd;
  }

  /** Reads the header and plans the blocks; starts the workers. */
  static async open(s3: S3Client, options: ImportReadingOptions): Promise<ImportReading> {
    const object = await readObjectHeader(s3, options, options.etag);
    const { shard, config } = options;
    if (shard && object.compressed) {
      throw new JobError(
        'InvalidInput',
        `s3://${options.bucket}/${options.key} is gzip, which cannot be read in byte ranges: import it unsharded`,
      );
    }
    const start = shard?.rangeStart ?? 0;
    const end = Math.min(shard?.rangeEnd ?? object.size, object.size);
    // The reading that starts with the object's first record (shard 0, or the whole object) knows where it is.
    const fromTheTop = (shard?.shardIndex ?? 0) === 0;
    const tasks = object.compressed
      ? [{ index: 0, start: 0, end: Number.POSITIVE_INFINITY, exactStart: object.headerEnd, whole: true }]
      : blockTasks(start, end, config.importBlockBytes, fromTheTop ? object.headerEnd : undefined);
    const source: BlockSource = {
      bucket: options.bucket,
      key: options.key,
      importId: options.importId,
      userSegmentationId: options.userSegmentationId,
      etag: object.etag,
      size: object.size,
      header: object.header,
    };
    // One block (a small object or shard) is read in the job's own thread: a worker's start would cost more.
    const inline = config.importParserWorkers === 0 || (!object.compressed && tasks.length === 1);
    const runner = inline
      ? inlineBlockRunner(s3, source)
      : workerBlockRunner(
          Math.min(config.importParserWorkers, tasks.length),
          source,
          config as RuntimeConfig,
        );
    // Lines count from the object's first line when the reading starts there; a later shard counts its own.
    const firstLine = fromTheTop ? object.headerLines + 1 : 1;
    const userIds = await SeenUserIds.create();
    return new ImportReading(s3, options, object, userIds, source, runner, tasks, firstLine);
  }

  /** Where the records read lie, once every batch was taken. */
  get readExtent(): ReadExtent {
    if (!this.extent) throw new Error('ImportReading: the reading has not ended');
    return this.extent;
  }

  /** Object bytes read so far (of the decompressed text when gzip). */
  bytesRead(): number {
    return this.reached;
  }

  /** Rows the object (or range) should hold at the rate of the rows handed on so far, for progress. */
  estimateRows(rowsRead: number = this.rowsSeen): number | undefined {
    if (this.object.compressed) return undefined;
    const first = this.tasks[0];
    const from = first?.exactStart ?? first?.start ?? 0;
    const to = this.options.shard
      ? Math.min(this.options.shard.rangeEnd, this.object.size)
      : this.object.size;
    return rowEstimate(to - from, rowsRead, this.reached - from);
  }

  /** The batches of the object (or range), in file order. */
  async *batches(): AsyncGenerator<ImportBatch> {
    const { tasks, runner } = this;
    const lookahead = tasks.length > 1 ? 2 : 1;
    const runs: BlockRun[] = [];
    const startUpTo = (i: number) => {
      for (let k = runs.length; k <= Math.min(i, tasks.length - 1); k++) runs.push(runner.start(tasks[k]!));
    };
    let line = this.firstLine;
    let expected = tasks[0]?.exactStart;
    let first: number | undefined;
    let next = this.reached;
    for (let i = 0; i < tasks.length; i++) {
      startUpTo(i + lookahead);
      let run = runs[i]!;
      const at = await run.started;
      if (expected !== undefined && at !== expected) {
        // The guess fell inside a record (a quoted line break across the boundary): read the block again from
        // where the block before it ended, in this thread (its worker is busy with later blocks).
        run.cancel();
        this.blocksReread++;
        run = inlineBlockRunner(this.s3, this.source).start({ ...tasks[i]!, exactStart: expected });
        await run.started;
      }
      first ??= expected ?? at;
      for await (const batch of run.batches) {
        this.reached = batch.offset;
        const imported = new ImportBatch(batch, line, this.userIds, this.object.header);
        this.rowsSeen += imported.size;
        yield imported;
      }
      const outcome: BlockOutcome = await run.outcome;
      line += outcome.lineCount;
      expected = outcome.nextRecordStart;
      next = outcome.nextRecordStart;
      this.reached = next;
      // At a block's end the bytes are exact (a batch's offset is how far its block was read, ahead of its rows).
      this.presize();
    }
    const headerLines = this.firstLine === 1 ? 0 : this.object.headerLines;
    this.extent = {
      firstRecordStart: first ?? next,
      nextRecordStart: next,
      lineCount: line - this.firstLine + headerLines,
    };
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await this.runner.close();
  }

  /**
   * Pre-sizes the duplicate table once, from the rows per byte of the first blocks (at least 10,000 rows), so it
   * need not grow on the way: growing holds the old and the new slots at once, the import's peak memory.
   */
  private presize(): void {
    if (this.presized || this.rowsSeen < 10_000) return;
    this.presized = true;
    const estimate = this.estimateRows(this.rowsSeen);
    if (estimate !== undefined) this.userIds.reserve(Math.ceil(estimate * 1.05));
  }
}

/** Blocks of `blockBytes` over `[start, end)`; the first starts exactly at `exactStart` when it is known. */
export function blockTasks(
  start: number,
  end: number,
  blockBytes: number,
  exactStart: number | undefined,
): BlockTask[] {
  const tasks: BlockTask[] = [];
  for (let from = start, index = 0; from < end || index === 0; from += blockBytes, index++) {
    tasks.push({
      index,
      start: from,
      end: Math.min(from + blockBytes, end),
      ...(index === 0 && exactStart !== undefined ? { exactStart } : {}),
    });
  }
  return tasks;
}
