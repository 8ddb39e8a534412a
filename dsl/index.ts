/** The typed workflow DSL: declare jobs, compose workflows, compile them to Amazon States Language. */
export type { FargateBinding, LambdaBinding, PlaceholderBindings, ResourceBindings } from './bindings.ts';
export { PLACEHOLDER_ACCOUNT, PLACEHOLDER_REGION, placeholderBindings } from './bindings.ts';
export type { CatchHandler, Chain, ChainOutput, ChoiceBranch } from './chain/chain.ts';
export { chainNode, fragment } from './chain/impl.ts';
export type { AnyChain, ChainErrors, Fragment, Resolved, Terminated } from './chain/types.ts';
export type { AslDefinition, CompiledWorkflow } from './compile.ts';
export { compileValidWorkflow, compileWorkflow } from './compile.ts';
export { type Condition, conditions } from './conditions.ts';
export {
  type ContextRefs,
  contextRefs,
  type MapItemContextRefs,
  TASK_TOKEN_PATH,
  type TaskTokenContextRefs,
} from './context.ts';
export type {
  CaughtError,
  EcsErrorName,
  LambdaErrorName,
  StatesErrorName,
  StepFunctionsErrorName,
} from './errors.ts';
export type { IntegrationPattern } from './graph.ts';
export { type HashAlgorithm, intrinsics } from './intrinsics.ts';
export type { AnyJob, Executor, JobDeclaration, JobInput, JobNeed, JobOutput, JobSetting } from './job.ts';
export { defineJob, envVarName } from './job.ts';
export { toMermaid } from './mermaid.ts';
export { callbackPermissions, type IamStatement, workflowPermissions } from './permissions.ts';
export type { Placed, ResultPath } from './placement.ts';
export type { Ref, RefTree } from './ref.ts';
export { type PlatformResource, type PlatformResourceKind, platformResource } from './resources.ts';
export { type RetryRule, retryPresets } from './retry.ts';
export {
  type DistributedMapOptions,
  type ItemReaderSpec,
  type MapOptions,
  type MapRunResult,
  type ResultWriterOptions,
  s3CsvItems,
  s3JsonItems,
} from './states/map.ts';
export { type AwsSdkIam, awsSdkStep } from './tasks/aws-sdk.ts';
export * from './tasks/dynamodb.ts';
export * from './tasks/eventbridge.ts';
export type { EcsTaskResult, FargateOptions, FargatePattern } from './tasks/fargate.ts';
export type { LambdaOptions, LambdaPattern, LambdaResult } from './tasks/lambda.ts';
export * from './tasks/s3.ts';
export type { ServiceIntegration, ServiceStepOptions } from './tasks/service.ts';
export type { IntegrationFactoryOptions } from './tasks/service-request.ts';
export * from './tasks/sns.ts';
export * from './tasks/sqs.ts';
export type { StartedExecution, StartWorkflowOptions } from './tasks/start-workflow.ts';
export { TASK_TOKEN_ENV, TASK_TOKEN_FIELD, type TaskOptions } from './tasks/task-options.ts';
export { RULES, validateDefinition } from './validate.ts';
export { type ValidationIssue, WorkflowValidationError } from './validation-issue.ts';
export {
  type AnyWorkflow,
  type DefaultCatch,
  defineWorkflow,
  type RootScope,
  type Workflow,
  type WorkflowDefaults,
} from './workflow.ts';
