import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

/** Raised when an execution name is taken, as StartExecution raises `ExecutionAlreadyExists`. */
export class ExecutionAlreadyExistsError extends Error {
  override readonly name = 'StepFunctions.ExecutionAlreadyExistsException';
}

/** Execution names: 1-80 characters of A-Z a-z 0-9 - _ (Step Functions allows more, but this survives any log). */
const NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** What is kept of an execution under its name: what it was started with and, once over, how it ended. */
export interface ExecutionRecord {
  readonly name: string;
  readonly arn: string;
  readonly input: unknown;
  readonly startedAt: number;
  readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly stoppedAt?: number;
}

/**
 * The names executions were started under, per state machine, kept as one file each so that two processes
 * (two watchers, a watcher and a `run`) cannot both start the same name: creating the file is the claim.
 */
export class ExecutionNames {
  constructor(readonly dir: string) {}

  /**
   * Claims a name for a state machine. As StartExecution: a name in use by a running execution with the same
   * input gives that execution back (an idempotent start); a different input, or a closed execution, throws
   * ExecutionAlreadyExistsError.
   */
  claim(stateMachine: string, record: ExecutionRecord): { existing?: ExecutionRecord } {
    const { name } = record;
    if (!NAME.test(name)) {
      throw new Error(`execution name '${name}' is invalid: expected 1-80 characters of A-Z a-z 0-9 _ -`);
    }
    const dir = join(this.dir, stateMachine);
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(this.file(stateMachine, name), `${JSON.stringify(record, null, 2)}\n`, { flag: 'wx' });
      return {};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const existing = this.read(stateMachine, name);
    if (existing?.status === 'RUNNING' && isDeepStrictEqual(existing.input, record.input))
      return { existing };
    throw new ExecutionAlreadyExistsError(
      `Execution '${name}' of state machine ${stateMachine} already exists${existing?.status === 'RUNNING' ? ' with a different input' : ` (${existing?.status ?? 'unreadable'})`} (${this.file(stateMachine, name)})`,
    );
  }

  /** Records how an execution ended. */
  close(stateMachine: string, record: ExecutionRecord): void {
    writeFileSync(this.file(stateMachine, record.name), `${JSON.stringify(record, null, 2)}\n`);
  }

  /** The record of a name, if it was claimed. */
  read(stateMachine: string, name: string): ExecutionRecord | undefined {
    try {
      return JSON.parse(readFileSync(this.file(stateMachine, name), 'utf8')) as ExecutionRecord;
    } catch {
      return undefined;
    }
  }

  private file(stateMachine: string, name: string): string {
    return join(this.dir, stateMachine, `${name}.json`);
  }
}
