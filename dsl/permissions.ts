import type { Input } from '@pulumi/pulumi';
import { combineInputs, deriveInput, type ResourceBindings } from './bindings.ts';
import { type ChainNode, forEachChain, type MapNode, type StateNode } from './graph.ts';
import type { IamStatement, PermissionScope } from './iam-statement.ts';
import { isRef } from './ref.ts';
import { isPlatformResource, resolvePlatformResource } from './resources.ts';
import type { AnyWorkflow } from './workflow-declaration.ts';

export type { IamStatement } from './iam-statement.ts';

/** The EventBridge rule Step Functions manages to learn that a started execution ended (`startExecution.sync`). */
export const SFN_SYNC_RULE = 'StepFunctionsGetEventsForStepFunctionsExecutionRule';

/** The EventBridge rule Step Functions manages to learn that an ECS task stopped (`runTask.sync`). */
export const ECS_SYNC_RULE = 'StepFunctionsGetEventsForECSTaskRule';

/**
 * The least-privilege statements a state machine needs to run the graph under `root`: the union over
 * every state, branches and maps included.
 */
export function workflowPermissions(
  root: ChainNode,
  bindings: ResourceBindings,
  workflowName: string,
): IamStatement[] {
  const statements: IamStatement[] = [];
  forEachChain(root, (chain) => {
    for (const state of chain.states) statements.push(...statePermissions(state, bindings, workflowName));
  });
  return mergeStatements(statements);
}

/** The statements one state needs (nested states are visited by the caller). */
export function statePermissions(
  state: StateNode,
  bindings: ResourceBindings,
  workflowName: string,
): IamStatement[] {
  switch (state.kind) {
    case 'lambdaTask': {
      const { functionArn } = bindings.lambda(state.job);
      // Versions and aliases are `ARN:qualifier`.
      return [
        {
          Effect: 'Allow',
          Action: ['lambda:InvokeFunction'],
          Resource: [functionArn, deriveInput(functionArn, 'qualified', (arn) => `${arn}:*`)],
        },
      ];
    }
    case 'fargateTask': {
      const binding = bindings.fargate(state.job);
      // Tasks and the managed rule live in the cluster's partition, region and account.
      const inClusterAccount = (name: string, resource: (arn: ArnFields) => string) =>
        deriveInput(binding.cluster, name, (arn) => resource(arnFields(arn)));
      return [
        {
          Effect: 'Allow',
          Action: ['ecs:RunTask'],
          // Every revision of the family: a retry still running the previous revision after a deploy may start it.
          Resource: [deriveInput(binding.taskDefinition, 'family', (arn) => arn.replace(/:\d+$/, ':*'))],
          Condition: { ArnEquals: { 'ecs:cluster': binding.cluster } },
        },
        {
          Effect: 'Allow',
          Action: ['ecs:StopTask', 'ecs:DescribeTasks'],
          Resource: [
            inClusterAccount(
              'tasks',
              (a) => `arn:${a.partition}:ecs:${a.region}:${a.account}:task/${a.resource}/*`,
            ),
          ],
        },
        {
          Effect: 'Allow',
          Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
          Resource: [
            inClusterAccount(
              'ecsSyncRule',
              (a) => `arn:${a.partition}:events:${a.region}:${a.account}:rule/${ECS_SYNC_RULE}`,
            ),
          ],
        },
        {
          Effect: 'Allow',
          Action: ['iam:PassRole'],
          Resource: [binding.taskRoleArn, binding.executionRoleArn],
          Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
        },
      ];
    }
    case 'startWorkflow': {
      const target = bindings.stateMachineArn?.(state.workflowName);
      if (target === undefined) {
        throw new Error(
          `State '${state.name}': starting workflow '${state.workflowName}' needs bindings.stateMachineArn`,
        );
      }
      const statements: IamStatement[] = [
        { Effect: 'Allow', Action: ['states:StartExecution'], Resource: [target] },
      ];
      if (state.waitForCompletion) {
        statements.push(
          {
            Effect: 'Allow',
            Action: ['states:DescribeExecution', 'states:StopExecution'],
            Resource: [executionsOf(target)],
          },
          {
            Effect: 'Allow',
            Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
            Resource: [
              deriveInput(target, 'sfnSyncRule', (arn) => {
                const a = arnFields(arn);
                return `arn:${a.partition}:events:${a.region}:${a.account}:rule/${SFN_SYNC_RULE}`;
              }),
            ],
          },
        );
      }
      return statements;
    }
    case 'map': {
      if (state.mode !== 'DISTRIBUTED') return [];
      const self = bindings.stateMachineArn?.(workflowName);
      if (self === undefined) {
        throw new Error(
          `State '${state.name}': a distributed map needs bindings.stateMachineArn for its child executions`,
        );
      }
      const scope = permissionScope(bindings, workflowName, state.name);
      const reader = state.itemReader ? [itemReaderPermission(state.itemReader, scope)] : [];
      return [
        ...reader,
        { Effect: 'Allow', Action: ['states:StartExecution'], Resource: [self] },
        {
          Effect: 'Allow',
          Action: ['states:DescribeExecution', 'states:StopExecution'],
          // A map run's child executions are `execution:<state machine>/<map run label>:<id>`.
          Resource: [mapRunExecutionsOf(self)],
        },
        ...resultWriterPermissions(state, scope),
      ];
    }
    case 'serviceTask':
      return [...state.permissions(permissionScope(bindings, workflowName, state.name))];
    default:
      return [];
  }
}

/** How a service step's or a map's resources resolve: in the state machine's account, through the bindings. */
function permissionScope(bindings: ResourceBindings, workflowName: string, state: string): PermissionScope {
  const self = bindings.stateMachineArn?.(workflowName);
  if (self === undefined) {
    throw new Error(
      `State '${state}': its resources need bindings.stateMachineArn (the state machine's account)`,
    );
  }
  return {
    arn: (values, build) =>
      combineInputs([self, ...values], ([machine, ...rest]) => build(arnFields(machine!), rest)),
    resolve: (value) => {
      if (isRef(value)) return undefined;
      if (isPlatformResource(value))
        return resolvePlatformResource(bindings.platformResource?.bind(bindings), value);
      return value as Input<string>;
    },
  };
}

/** Reading a distributed map's items from S3. */
function itemReaderPermission(
  reader: { bucket: unknown; key: unknown },
  scope: PermissionScope,
): IamStatement {
  // A referenced bucket or key is only known at run time: then the grant covers what is known.
  const objectKey = isRef(reader.bucket) || isRef(reader.key) ? '*' : String(reader.key);
  return { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [inBucket(scope, reader.bucket, objectKey)] };
}

/** Writing a distributed map's results (manifest and result files, by multipart upload) under its prefix. */
function resultWriterPermissions(state: MapNode, scope: PermissionScope): IamStatement[] {
  if (!state.resultWriter) return [];
  const { bucket, prefix } = state.resultWriter;
  const under = isRef(prefix) || isRef(bucket) ? '*' : `${String(prefix).replace(/\/$/, '')}/*`;
  return [
    {
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
      Resource: [inBucket(scope, bucket, under)],
    },
  ];
}

/** Objects under `key` in a bucket given as a literal, a platform resource or a reference (`*` then). */
function inBucket(scope: PermissionScope, bucket: unknown, key: string): Input<string> {
  return scope.arn([scope.resolve(bucket) ?? '*'], (where, [name]) =>
    name === '*' ? `arn:${where.partition}:s3:::*/${key}` : `arn:${where.partition}:s3:::${name}/${key}`,
  );
}

/**
 * What the role of a job needs when a workflow step hands it a task token (`.waitForTaskToken`): sending the
 * heartbeats, the output or the error back to the state machines that run such a step of the job.
 */
export function callbackPermissions(
  workflows: readonly AnyWorkflow[],
  jobName: string,
  bindings: Pick<ResourceBindings, 'stateMachineArn'>,
): IamStatement[] {
  const machines = workflows
    .filter((w) => w.steps.some((step) => step.callback && step.job.name === jobName))
    .map((w) => bindings.stateMachineArn?.(w.name))
    .filter((arn): arn is Input<string> => arn !== undefined);
  if (machines.length === 0) return [];
  return [
    {
      Effect: 'Allow',
      Action: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      Resource: machines,
    },
  ];
}

/** Merges statements with the same actions and conditions, keeping each resource once. */
export function mergeStatements(statements: readonly IamStatement[]): IamStatement[] {
  const merged = new Map<
    string,
    { statement: IamStatement; resources: Input<string>[]; seen: Set<unknown> }
  >();
  for (const statement of statements) {
    const key = JSON.stringify([[...statement.Action].sort(), conditionKey(statement.Condition)]);
    let entry = merged.get(key);
    if (!entry) {
      entry = { statement, resources: [], seen: new Set() };
      merged.set(key, entry);
    }
    for (const resource of statement.Resource) {
      if (entry.seen.has(resource)) continue;
      entry.seen.add(resource);
      entry.resources.push(resource);
    }
  }
  return [...merged.values()].map(({ statement, resources }) => ({ ...statement, Resource: resources }));
}

/** The ARN pattern of a state machine's executions. */
function executionsOf(stateMachineArn: Input<string>): Input<string> {
  return deriveInput(
    stateMachineArn,
    'executions',
    (arn) => `${arn.replace(':stateMachine:', ':execution:')}:*`,
  );
}

/** The ARN pattern of the child executions of a state machine's distributed map runs. */
function mapRunExecutionsOf(stateMachineArn: Input<string>): Input<string> {
  return deriveInput(
    stateMachineArn,
    'mapRunExecutions',
    (arn) => `${arn.replace(':stateMachine:', ':execution:')}/*`,
  );
}

interface ArnFields {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** The part after the resource type: `cluster/NAME` → `NAME`. */
  readonly resource: string;
}

function arnFields(arn: string): ArnFields {
  const [, partition = 'aws', , region = '', account = '', ...rest] = arn.split(':');
  return { partition, region, account, resource: rest.join(':').split('/').slice(1).join('/') };
}

// Pulumi Outputs cannot be compared by value: they are told apart by identity.
const identities = new WeakMap<object, number>();
let nextIdentity = 1;
function conditionKey(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(conditionKey).join(',')}]`;
  if (Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${conditionKey(v)}`).join(',')}}`;
  }
  let id = identities.get(value);
  if (id === undefined) {
    id = nextIdentity++;
    identities.set(value, id);
  }
  return `#${id}`;
}
