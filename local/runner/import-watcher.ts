import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import {
  IMPORT_KEY_PREFIX,
  importExecutionName,
  importInputFromObject,
  NotAnImportKeyError,
} from '../../workflows/import-trigger.ts';
import { importAudienceWorkflow } from '../../workflows/index.ts';
import { type LocalExecution, type LocalRunOptions, runWorkflowLocally } from './execution.ts';
import { ExecutionAlreadyExistsError } from './execution-names.ts';

/** What the watcher did with one object it saw. */
export type WatchOutcome =
  | { kind: 'started'; key: string; executionName: string; execution: Promise<LocalExecution> }
  | { kind: 'already-started'; key: string; executionName: string }
  | { kind: 'not-an-import'; key: string; reason: string };

/** Options of the watcher. */
export interface ImportWatcherOptions {
  /** Options of every execution it starts (runtime env, events, names folder). */
  readonly run?: Omit<LocalRunOptions, 'name'>;
  /** Called for each object seen the first time by this watcher. */
  readonly onOutcome?: (outcome: WatchOutcome) => void;
}

/**
 * The local stand-in of the S3 → EventBridge → import starter chain: lists `imports/` in a bucket and starts the
 * import workflow for each object (`.csv`, or `.csv.gz` for gzip), with the same key-to-input mapping and execution
 * name (the import id). A
 * name already taken (the same object seen again, by this or another watcher) is absorbed, as on AWS.
 */
export class ImportWatcher {
  private readonly seen = new Set<string>();
  /** Executions started by this watcher. */
  readonly executions: Promise<LocalExecution>[] = [];

  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    private readonly options: ImportWatcherOptions = {},
  ) {}

  /** Lists the bucket once and handles every object not seen before by this watcher; returns what it did. */
  async poll(): Promise<WatchOutcome[]> {
    const outcomes: WatchOutcome[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: IMPORT_KEY_PREFIX,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) {
        const key = object.Key!;
        // An object replaced under the same key has a new ETag: it is a new event, as on AWS.
        const identity = `${key}\0${object.ETag ?? ''}`;
        if (this.seen.has(identity)) continue;
        this.seen.add(identity);
        const outcome = await this.handle(key);
        outcomes.push(outcome);
        this.options.onOutcome?.(outcome);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return outcomes;
  }

  /** Starts the import of one object, as the import starter does for one S3 event. */
  async handle(key: string): Promise<WatchOutcome> {
    let input: ReturnType<typeof importInputFromObject>;
    try {
      input = importInputFromObject({ s3Bucket: this.bucket, s3Key: key });
    } catch (error) {
      if (error instanceof NotAnImportKeyError) return { kind: 'not-an-import', key, reason: error.message };
      throw error;
    }
    const executionName = importExecutionName(input);
    let started!: (how: 'started' | 'joined') => void;
    const startedSignal = new Promise<'started' | 'joined'>((resolve) => {
      started = resolve;
    });
    const userOnEvent = this.options.run?.onEvent;
    const execution = runWorkflowLocally(importAudienceWorkflow, input, {
      ...this.options.run,
      name: executionName,
      onEvent: (event) => {
        if (event.type === 'execution-started') started('started');
        // The same import still running: the start gave that execution back (absorbed).
        if (event.type === 'execution-joined') started('joined');
        userOnEvent?.(event);
      },
    });
    try {
      if ((await Promise.race([startedSignal, execution])) === 'joined')
        return { kind: 'already-started', key, executionName };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExistsError)
        return { kind: 'already-started', key, executionName };
      throw error;
    }
    this.executions.push(execution);
    return { kind: 'started', key, executionName, execution };
  }

  /** Polls every `intervalMs` until the signal aborts, then waits for the executions it started. */
  async watch(intervalMs: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.poll();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
    }
    await Promise.allSettled(this.executions);
  }
}
