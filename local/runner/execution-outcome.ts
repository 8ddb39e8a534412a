import { ExecutionError } from 'aws-local-stepfunctions';
import type { ExecutionStatus, RunnerEvent } from './events.ts';

/** How an execution ended, before the runner adds its name, history and times. */
export interface ExecutionOutcome {
  readonly status: ExecutionStatus;
  /** The execution's output, when it succeeded. */
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

/** Turns the interpreter's event log into runner events until the execution ends. */
export async function forwardEvents(
  logs: AsyncGenerator<unknown>,
  emit: (event: RunnerEvent) => void,
): Promise<void> {
  for await (const raw of logs) {
    const event = raw as {
      type: string;
      timestamp: number;
      state?: { name: string; type: string };
      Error?: string;
      Cause?: unknown;
      retry?: { attempt: number };
      catch?: { catcher: { Next: string } };
    };
    const at = event.timestamp;
    const state = event.state?.name ?? '';
    const stateType = event.state?.type ?? '';
    switch (event.type) {
      case 'StateEntered':
        emit({ type: 'state-entered', state, stateType, at });
        break;
      case 'StateExited':
        emit({ type: 'state-exited', state, stateType, at });
        break;
      case 'StateFailed':
        emit({
          type: 'state-failed',
          state,
          stateType,
          error: event.Error ?? 'Error',
          cause: causeText(event.Cause),
          at,
        });
        break;
      case 'StateRetried':
        emit({ type: 'state-retried', state, attempt: event.retry?.attempt ?? 0, at });
        break;
      case 'StateCaught':
        emit({ type: 'state-caught', state, next: event.catch?.catcher.Next ?? '', at });
        break;
      default:
        break;
    }
  }
}

function causeText(cause: unknown): string {
  if (cause === undefined || cause === null) return '';
  if (typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  return JSON.stringify(cause);
}

export function failureOf(error: unknown): ExecutionOutcome {
  const name = (error as Error)?.name;
  if (name === 'ExecutionTimeoutError')
    return {
      status: 'TIMED_OUT',
      error: 'States.Timeout',
      cause: 'The execution timed out (TimeoutSeconds)',
    };
  if (name === 'ExecutionAbortedError')
    return { status: 'ABORTED', error: 'Aborted', cause: 'The execution was aborted' };
  if (error instanceof ExecutionError) {
    const inner = (error as unknown as { cause?: unknown }).cause;
    const innerError = inner instanceof Error ? inner : undefined;
    return {
      status: 'FAILED',
      error: innerError?.name ?? 'Error',
      cause: innerError
        ? causeText((innerError as { cause?: unknown }).cause ?? innerError.message)
        : causeText(inner),
    };
  }
  return {
    status: 'FAILED',
    error: name ?? 'Error',
    cause: error instanceof Error ? error.message : String(error),
  };
}
