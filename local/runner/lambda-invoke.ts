import type { AnyJob } from '../../dsl/index.ts';
import { closeJobDeps, type JobDeps, jobDeps } from '../../jobs/runtime/clients.ts';
import type { RuntimeConfig } from '../../jobs/runtime/config.ts';
import { type LambdaHandler, lambdaHandler } from '../../jobs/runtime/lambda.ts';
import { jsonLineLogger } from '../../jobs/runtime/logger.ts';
import { callbackFromEnv } from '../../jobs/runtime/task-token.ts';
import { runnableJob } from './job-implementations.ts';
import { namedError } from './named-error.ts';
import type { TaskTargets } from './task-targets.ts';

/** A Lambda job's timeout when its declaration names none (the DSL's default). */
const DEFAULT_LAMBDA_TIMEOUT_SECONDS = 60;

/** One call of a Lambda job, as a `lambda:invoke` Task state makes it. */
export interface LambdaInvocation {
  readonly state: string;
  readonly job: AnyJob;
  /** Exactly the state's `Payload`. */
  readonly payload: unknown;
  /** 1 for the first call of this state, 2 for its first retry, … */
  readonly attempt: number;
}

/**
 * Stands between the state and the handler; the default calls the handler. Tests use it to make the Lambda
 * service fail (`Lambda.ServiceException`), which cannot be produced locally otherwise.
 */
export type LambdaInterceptor = (
  invocation: LambdaInvocation,
  invoke: () => Promise<unknown>,
) => Promise<unknown>;

/** The job handlers of one execution: warm across states (as Lambda keeps a container warm), closed at the end. */
export class LocalLambdas {
  private readonly handlers = new Map<string, Promise<LambdaHandler>>();
  private readonly deps: JobDeps[] = [];

  constructor(
    private readonly config: RuntimeConfig,
    private readonly log: (job: AnyJob, line: string) => void,
    /** The environment a job's callback client reads (`AWS_ENDPOINT_URL_SFN`: the runner's token endpoint). */
    private readonly callbackEnv: Record<string, string | undefined> = {},
  ) {}

  /** The handler of a job, built on first use with clients for this execution's runtime configuration. */
  handler(job: AnyJob): Promise<LambdaHandler> {
    let handler = this.handlers.get(job.name);
    if (!handler) {
      const logger = jsonLineLogger(job.name, (line) => this.log(job, line));
      handler = runnableJob(job).then((entry) =>
        lambdaHandler(
          entry,
          () => {
            const deps = jobDeps(this.config, logger, job.name);
            this.deps.push(deps);
            return deps;
          },
          (token) => callbackFromEnv(this.callbackEnv, token, logger),
        ),
      );
      this.handlers.set(job.name, handler);
    }
    return handler;
  }

  /** Releases every client the handlers opened. */
  close(): void {
    for (const deps of this.deps.splice(0)) closeJobDeps(deps);
  }
}

/**
 * The local stand-in of `arn:aws:states:::lambda:invoke`: finds the job by `FunctionName`, calls its handler
 * with exactly `Payload`, and returns what Step Functions returns (`{ Payload: <result>, StatusCode: 200, … }`).
 * A thrown error fails the state under the error's name, with Lambda's JSON error document as the cause.
 */
export function lambdaInvokeTask(
  state: string,
  targets: TaskTargets,
  lambdas: LocalLambdas,
  intercept: LambdaInterceptor = (_invocation, invoke) => invoke(),
): (parameters: unknown) => Promise<unknown> {
  let attempt = 0;
  return async (parameters) => {
    attempt++;
    const { FunctionName, Payload } = (parameters ?? {}) as { FunctionName?: unknown; Payload?: unknown };
    if (typeof FunctionName !== 'string') {
      throw namedError(
        'Lambda.InvalidParameterValueException',
        `${state}: Parameters.FunctionName is missing`,
      );
    }
    const job = targets.lambdaJob(FunctionName);
    if (!job) {
      throw namedError(
        'Lambda.ResourceNotFoundException',
        `${state}: Function not found: ${FunctionName} (no Lambda job is bound to it)`,
      );
    }
    // Lambda receives the payload serialised: what JSON cannot carry does not arrive.
    const payload = Payload === undefined ? null : (JSON.parse(JSON.stringify(Payload)) as unknown);
    let result: unknown;
    // Lambda's context: the time left of the function's timeout (the job's declared one, as infra deploys it).
    const deadline =
      Date.now() + (job.resources.lambda?.timeoutSeconds ?? DEFAULT_LAMBDA_TIMEOUT_SECONDS) * 1000;
    const context = { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) };
    try {
      result = await intercept({ state, job, payload, attempt }, async () =>
        (await lambdas.handler(job))(payload, context),
      );
    } catch (error) {
      throw lambdaFunctionError(error);
    }
    return {
      ExecutedVersion: '$LATEST',
      Payload: result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown),
      StatusCode: 200,
    };
  };
}

/** A function error as Step Functions reports it: the error's name, and Lambda's error document as the cause. */
function lambdaFunctionError(error: unknown): Error {
  if (!(error instanceof Error))
    return namedError('Error', JSON.stringify({ errorType: 'Error', errorMessage: String(error) }));
  // Errors named like service errors (Lambda.ServiceException) carry a plain message, as AWS's do.
  if (error.name.startsWith('Lambda.')) return namedError(error.name, error.message);
  const document = {
    errorType: error.name,
    errorMessage: error.message,
    trace: (error.stack ?? '').split('\n').slice(0, 6),
  };
  return namedError(error.name, JSON.stringify(document));
}
