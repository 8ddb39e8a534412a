/**
 * Error names a Retry or Catch can match.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
export type StatesErrorName =
  | 'States.ALL'
  | 'States.HeartbeatTimeout'
  | 'States.Timeout'
  | 'States.TaskFailed'
  | 'States.Permissions'
  | 'States.ResultPathMatchFailure'
  | 'States.ParameterPathFailure'
  | 'States.QueryEvaluationError'
  | 'States.BranchFailed'
  | 'States.NoChoiceMatched'
  | 'States.IntrinsicFailure'
  | 'States.ExceedToleratedFailureThreshold'
  | 'States.ItemReaderFailed'
  | 'States.ResultWriterFailed'
  | 'States.Runtime';

/** Errors of the `lambda:invoke` integration that AWS recommends retrying. */
export const LAMBDA_TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
] as const;

/** Errors the `lambda:invoke` integration raises. */
export type LambdaErrorName =
  | (typeof LAMBDA_TRANSIENT_ERRORS)[number]
  | 'Lambda.TooManyRequestsException'
  | 'Lambda.Unknown';

/** Errors the `ecs:runTask` integration raises (capacity and throttling surface as AmazonECSException). */
export type EcsErrorName = 'ECS.AmazonECSException' | 'ECS.ServerException' | 'ECS.ClientException';

/** Errors the `states:startExecution` integration raises (the StartExecution API's exceptions). */
export type StepFunctionsErrorName =
  | 'StepFunctions.ExecutionAlreadyExistsException'
  | 'StepFunctions.ExecutionLimitExceededException'
  | 'StepFunctions.InvalidArnException'
  | 'StepFunctions.InvalidExecutionInputException'
  | 'StepFunctions.InvalidNameException'
  | 'StepFunctions.StateMachineDoesNotExistException'
  | 'StepFunctions.StateMachineDeletingException'
  | 'StepFunctions.SdkClientException';

/** The catch-all error name. */
export const STATES_ALL = 'States.ALL' satisfies StatesErrorName;

/** What a Catch places at its result path. */
export interface CaughtError {
  readonly Error: string;
  readonly Cause: string;
}
