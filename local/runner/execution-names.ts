import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Raised when an execution name is taken, as StartExecution raises `ExecutionAlreadyExists`. */
export class ExecutionAlreadyExistsError extends Error {
  override readonly name = 'StepFunctions.ExecutionAlreadyExistsException';
}

/** Execution names: 1-80 characters of A-Z a-z 0-9 - _ (Step Functions allows more, but this survives any log). */
const NAME = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * The names executions were started under, per state machine, kept as one file each so that two processes
 * (two watchers, a watcher and a `run`) cannot both start the same name: creating the file is the claim.
 */
export class ExecutionNames {
  constructor(readonly dir: string) {}

  /** Claims a name for a state machine; throws ExecutionAlreadyExistsError when it was claimed before. */
  claim(stateMachine: string, name: string, record: Record<string, unknown>): void {
    if (!NAME.test(name)) {
      throw new Error(`execution name '${name}' is invalid: expected 1-80 characters of A-Z a-z 0-9 _ -`);
    }
    const dir = join(this.dir, stateMachine);
    mkdirSync(dir, { recursive: true });
    try {
      writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ name, ...record }, null, 2)}\n`, {
        flag: 'wx',
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new ExecutionAlreadyExistsError(
          `Execution '${name}' of state machine ${stateMachine} already exists (${join(dir, `${name}.json`)})`,
        );
      }
      throw error;
    }
  }
}
