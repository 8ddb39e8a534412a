import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { namedError } from './named-error.ts';

/** What the interpreter puts where a state reads `$$.Task.Token`; each callback step swaps in a token of its own. */
export const TASK_TOKEN_PLACEHOLDER = 'local-task-token-placeholder';

/** One callback a step waits for. */
interface PendingTask {
  readonly state: string;
  readonly resolve: (output: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly heartbeatSeconds?: number;
  heartbeatTimer?: NodeJS.Timeout;
}

/** The actions of the Step Functions API a callback uses, served here as AWS serves them (JSON 1.0 protocol). */
const ACTIONS = new Set(['SendTaskSuccess', 'SendTaskFailure', 'SendTaskHeartbeat']);

/**
 * The local stand-in of Step Functions' task tokens: a `.waitForTaskToken` step gets a fresh token and waits
 * until someone calls SendTaskSuccess / SendTaskFailure with it, through the real AWS SDK pointed at this
 * endpoint (`AWS_ENDPOINT_URL_SFN`). SendTaskHeartbeat resets the step's HeartbeatSeconds clock; silence for that
 * long fails the step with States.HeartbeatTimeout, and a later call gets TaskTimedOut, as on AWS.
 */
export class TaskTokens {
  private readonly pending = new Map<string, PendingTask>();
  /** Tokens whose step is over: a late call is answered TaskTimedOut. */
  private readonly closed = new Set<string>();

  private constructor(
    private readonly server: Server,
    /** The endpoint to give jobs as `AWS_ENDPOINT_URL_SFN`. */
    readonly endpoint: string,
  ) {}

  /** Starts the endpoint on a free loopback port. */
  static async start(): Promise<TaskTokens> {
    let tokens: TaskTokens | undefined;
    const server = createServer((request, response) => {
      tokens
        ?.handle(request, response)
        .catch((error: unknown) => reply(response, 500, { message: String(error) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    server.unref();
    const { port } = server.address() as AddressInfo;
    tokens = new TaskTokens(server, `http://127.0.0.1:${port}`);
    return tokens;
  }

  /**
   * A token for one run of a callback step, and what the step ends with: the output sent with SendTaskSuccess,
   * or an error named as sent with SendTaskFailure (or States.HeartbeatTimeout).
   */
  issue(state: string, heartbeatSeconds?: number): { token: string; outcome: Promise<unknown> } {
    const token = `local:${state}:${randomUUID()}`;
    const outcome = new Promise<unknown>((resolve, reject) => {
      const task: PendingTask = { state, resolve, reject, heartbeatSeconds };
      this.pending.set(token, task);
      this.armHeartbeat(token, task);
    });
    // The step may fail otherwise first (the job's own error): a later rejection must not go unhandled.
    outcome.catch(() => undefined);
    return { token, outcome };
  }

  /** Ends a token's wait (its step failed otherwise, or the execution ended). */
  cancel(token: string): void {
    const task = this.pending.get(token);
    if (task?.heartbeatTimer) clearTimeout(task.heartbeatTimer);
    this.pending.delete(token);
    this.closed.add(token);
  }

  /** Stops the endpoint; steps still waiting fail. */
  close(): void {
    for (const [token, task] of this.pending) {
      task.reject(
        namedError('States.Runtime', `The execution ended while ${task.state} waited for its callback`),
      );
      this.cancel(token);
    }
    this.server.close();
  }

  private armHeartbeat(token: string, task: PendingTask): void {
    const seconds = task.heartbeatSeconds;
    if (seconds === undefined) return;
    if (task.heartbeatTimer) clearTimeout(task.heartbeatTimer);
    task.heartbeatTimer = setTimeout(() => {
      this.cancel(token);
      task.reject(
        namedError(
          'States.HeartbeatTimeout',
          `${task.state}: no heartbeat for ${seconds} s (HeartbeatSeconds)`,
        ),
      );
    }, seconds * 1000);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const action = String(request.headers['x-amz-target'] ?? '').replace(/^AWSStepFunctions\./, '');
    if (request.method !== 'POST' || !ACTIONS.has(action)) {
      reply(response, 400, { __type: 'UnknownOperationException', message: `Not served locally: ${action}` });
      return;
    }
    const body = JSON.parse((await readBody(request)) || '{}') as Record<string, string | undefined>;
    const token = body.taskToken ?? '';
    const task = this.pending.get(token);
    if (!task) {
      const closed = this.closed.has(token);
      reply(response, 400, {
        __type: closed ? 'TaskTimedOut' : 'TaskDoesNotExist',
        message: closed ? 'Task Timed Out' : 'Task does not exist anymore',
      });
      return;
    }
    if (action === 'SendTaskHeartbeat') this.armHeartbeat(token, task);
    else if (action === 'SendTaskSuccess') {
      let output: unknown;
      try {
        output = JSON.parse(body.output ?? '');
      } catch {
        reply(response, 400, { __type: 'InvalidOutput', message: 'output is not valid JSON' });
        return;
      }
      this.cancel(token);
      task.resolve(output);
    } else {
      this.cancel(token);
      task.reject(namedError(body.error ?? '', body.cause ?? ''));
    }
    reply(response, 200, {});
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function reply(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
  response.end(JSON.stringify(body));
}

/** A copy of `value` with every placeholder token replaced by `token`. */
export function withTaskToken(value: unknown, token: string): unknown {
  if (value === TASK_TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(value)) return value.map((item) => withTaskToken(item, token));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withTaskToken(v, token)]));
}
