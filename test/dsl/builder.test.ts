import { expect } from 'chai';
import { z } from 'zod';

import {
  type AnyChain,
  type CaughtError,
  type Chain,
  chainNode,
  compileWorkflow,
  conditions,
  defineJob,
  defineWorkflow,
  fragment,
  intrinsics,
  placeholderBindings,
  type ResourceBindings,
  retryPresets,
  s3CsvItems,
} from '../../dsl/index.ts';
import type { RootScope } from '../../dsl/workflow.ts';
import { render } from './render.ts';

/** A Lambda-only job with a declared error. */
const greet = defineJob({
  name: 'greet',
  description: 'Greets someone a number of times',
  input: z.object({ name: z.string(), times: z.number() }),
  output: z.object({ message: z.string() }),
  runsOn: ['lambda'],
  module: 'test/dsl/greet.ts',
  errors: ['GreetingRefused'],
});

/** A Fargate-only job with text, numeric, enum and optional fields. */
const crunch = defineJob({
  name: 'crunch',
  description: 'Crunches a dataset in batches',
  input: z.object({
    datasetId: z.string(),
    batchSize: z.number().int(),
    mode: z.enum(['fast', 'thorough']),
    label: z.string().optional(),
    limit: z.number().optional(),
  }),
  output: z.object({}),
  runsOn: ['fargate'],
  module: 'test/dsl/crunch.ts',
});

const Input = z.object({
  name: z.string(),
  times: z.number(),
  flag: z.boolean(),
  maybe: z.string().optional(),
  delaySeconds: z.number(),
  when: z.string(),
  datasetId: z.string(),
  items: z.array(z.object({ id: z.string(), size: z.number() })),
  bucket: z.string(),
  key: z.string(),
});
type Input = z.input<typeof Input>;
type Start = Chain<Input, Input, RootScope>;

const GREET_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:audience-io-greet';

/** A workflow over `Input` whose definition is the given chain. */
function workflowOf(definition: (start: Start) => AnyChain<RootScope>) {
  return defineWorkflow({ name: 'builder-test', description: 'Builder test', input: Input, definition });
}

/** Compiles with the placeholder bindings; every workflow here must also be valid (asl-validator included). */
function compile(definition: (start: Start) => AnyChain<RootScope>) {
  const compiled = render(workflowOf(definition));
  expect(compiled.issues).to.deep.equal([]);
  return compiled.definition;
}

/** What `lambdaStep('…', greet, …)` renders to, before its flow fields. */
function greetTask(payload: Record<string, unknown>) {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: GREET_ARN, Payload: payload },
    ResultSelector: { 'Payload.$': '$.Payload' },
  };
}

describe('the workflow builder', () => {
  describe('pass', () => {
    it('places a fixed result', () => {
      // WHEN
      const definition = compile((start) =>
        start.pass('Seed', { result: { count: 1, tags: ['a'] }, resultPath: '$.seed' }).succeed('Done'),
      );
      // THEN
      expect(definition).to.deep.equal({
        Comment: 'Builder test',
        StartAt: 'Seed',
        States: {
          Seed: { Type: 'Pass', Result: { count: 1, tags: ['a'] }, ResultPath: '$.seed', Next: 'Done' },
          Done: { Type: 'Succeed' },
        },
      });
    });

    it('builds parameters from references, the context object and literals, nested', () => {
      // WHEN
      const definition = compile((start) =>
        start.pass('Shape', {
          parameters: ($, ctx) => ({
            who: $.name,
            startedAt: ctx.execution.startTime,
            fixed: 'x',
            nested: { n: $.times, first: $.items },
          }),
          comment: 'reshapes the input',
        }),
      );
      // THEN
      expect(definition.States).to.deep.equal({
        Shape: {
          Type: 'Pass',
          Comment: 'reshapes the input',
          Parameters: {
            'who.$': '$.name',
            'startedAt.$': '$$.Execution.StartTime',
            fixed: 'x',
            nested: { 'n.$': '$.times', 'first.$': '$.items' },
          },
          End: true,
        },
      });
    });
  });

  describe('wait', () => {
    it('waits a fixed number of seconds, seconds from a reference, until a timestamp or a referenced one', () => {
      // WHEN
      const definition = compile((start) =>
        start
          .wait('Fixed', { seconds: 30 })
          .wait('FromInput', { seconds: ($) => $.delaySeconds })
          .wait('Until', { timestamp: '2030-01-01T00:00:00Z' })
          .wait('UntilInput', { timestamp: ($) => $.when }),
      );
      // THEN
      expect(definition.States).to.deep.equal({
        Fixed: { Type: 'Wait', Seconds: 30, Next: 'FromInput' },
        FromInput: { Type: 'Wait', SecondsPath: '$.delaySeconds', Next: 'Until' },
        Until: { Type: 'Wait', Timestamp: '2030-01-01T00:00:00Z', Next: 'UntilInput' },
        UntilInput: { Type: 'Wait', TimestampPath: '$.when', End: true },
      });
    });
  });

  describe('choice', () => {
    it('leads a branch that only goes to a fragment straight to the fragment', () => {
      // GIVEN
      const rejected = fragment<unknown>().fail('Rejected', { error: 'Rejected' });
      // WHEN
      const definition = compile((start) =>
        start
          .choice(
            'Check',
            ($) => [{ condition: conditions.eq($.flag, true), steps: (b) => b.goto(rejected) }],
            (b) => b,
          )
          .succeed('Accepted'),
      );
      // THEN
      expect(definition.States.Check).to.deep.equal({
        Type: 'Choice',
        Choices: [{ Variable: '$.flag', BooleanEquals: true, Next: 'Rejected' }],
        Default: 'Accepted',
      });
      expect(definition.States.Rejected).to.deep.equal({ Type: 'Fail', Error: 'Rejected' });
    });

    it('renders typed conditions; unfinished branches and an empty one go on with the next state', () => {
      // WHEN
      const definition = compile((start) =>
        start
          .choice(
            'Route',
            ($) => [
              { condition: conditions.eq($.name, 'ada'), steps: (b) => b.pass('IsAda', { result: 'ada' }) },
              { condition: conditions.eq($.times, 3), steps: (b) => b.succeed('Three') },
              {
                condition: conditions.eq($.flag, true),
                steps: (b) => b.fail('Flagged', { error: 'Flagged' }),
              },
              {
                condition: conditions.and(conditions.gt($.times, 1), conditions.lt($.times, 10)),
                steps: (b) => b,
              },
              {
                condition: conditions.or(
                  conditions.not(conditions.isPresent($.maybe)),
                  conditions.lt($.name, 'm'),
                ),
                steps: (b) => b.wait('Pause', { seconds: 1 }).pass('Paused', { result: true }),
              },
            ],
            (b) => b.pass('Other', { result: 'other' }),
          )
          .pass('After', { result: 'after' })
          .succeed('Done'),
      );
      // THEN
      expect(definition.States).to.deep.equal({
        Route: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.name', StringEquals: 'ada', Next: 'IsAda' },
            { Variable: '$.times', NumericEquals: 3, Next: 'Three' },
            { Variable: '$.flag', BooleanEquals: true, Next: 'Flagged' },
            {
              And: [
                { Variable: '$.times', NumericGreaterThan: 1 },
                { Variable: '$.times', NumericLessThan: 10 },
              ],
              Next: 'After',
            },
            {
              Or: [
                { Not: { Variable: '$.maybe', IsPresent: true } },
                { Variable: '$.name', StringLessThan: 'm' },
              ],
              Next: 'Pause',
            },
          ],
          Default: 'Other',
        },
        IsAda: { Type: 'Pass', Result: 'ada', Next: 'After' },
        Three: { Type: 'Succeed' },
        Flagged: { Type: 'Fail', Error: 'Flagged' },
        Pause: { Type: 'Wait', Seconds: 1, Next: 'Paused' },
        Paused: { Type: 'Pass', Result: true, Next: 'After' },
        Other: { Type: 'Pass', Result: 'other', Next: 'After' },
        After: { Type: 'Pass', Result: 'after', Next: 'Done' },
        Done: { Type: 'Succeed' },
      });
    });

    it('without otherwise, defaults to the state after the choice', () => {
      // WHEN
      const definition = compile((start) =>
        start
          .choice('Route', ($) => [
            { condition: conditions.eq($.flag, true), steps: (b) => b.succeed('Yes') },
          ])
          .pass('After', { result: 1 })
          .succeed('Done'),
      );
      // THEN
      expect(definition.States.Route).to.deep.equal({
        Type: 'Choice',
        Choices: [{ Variable: '$.flag', BooleanEquals: true, Next: 'Yes' }],
        Default: 'After',
      });
    });
  });

  describe('succeed and fail', () => {
    it('ends with Succeed, with its comment', () => {
      expect(compile((start) => start.succeed('Done', { comment: 'all good' })).States).to.deep.equal({
        Done: { Type: 'Succeed', Comment: 'all good' },
      });
    });

    it('fails with a literal error and cause', () => {
      expect(
        compile((start) => start.fail('Boom', { error: 'Exploded', cause: 'on purpose' })).States,
      ).to.deep.equal({ Boom: { Type: 'Fail', Error: 'Exploded', Cause: 'on purpose' } });
    });

    it('fails with an error and a cause taken from the state (ErrorPath, CausePath)', () => {
      expect(
        compile((start) => start.fail('Boom', { error: ($) => $.name, cause: ($) => $.when })).States,
      ).to.deep.equal({ Boom: { Type: 'Fail', ErrorPath: '$.name', CausePath: '$.when' } });
    });
  });

  describe('parallel', () => {
    it('renders its branches as scopes of their own, with ResultPath, Retry and Catch', () => {
      // WHEN
      const definition = compile((start) =>
        start
          .parallel(
            'Fan',
            [
              (b) => b.pass('Left', { result: 'left' }),
              (b) => b.lambdaStep('Right', greet, ($) => ({ name: $.name, times: $.times })),
            ],
            { resultPath: '$.fan' },
          )
          .retry({ errors: ['States.BranchFailed'], maxAttempts: 2 })
          .catch(['States.ALL'], {
            resultPath: '$.error',
            next: fragment<unknown>().fail('FanFailed', { error: 'Fan' }),
          })
          .succeed('Done'),
      );
      // THEN
      expect(definition.States).to.deep.equal({
        Fan: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Left', States: { Left: { Type: 'Pass', Result: 'left', End: true } } },
            {
              StartAt: 'Right',
              States: { Right: { ...greetTask({ 'name.$': '$.name', 'times.$': '$.times' }), End: true } },
            },
          ],
          ResultPath: '$.fan',
          Retry: [{ ErrorEquals: ['States.BranchFailed'], MaxAttempts: 2 }],
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'FanFailed' }],
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
        FanFailed: { Type: 'Fail', Error: 'Fan' },
      });
    });
  });

  describe('map', () => {
    it('renders an inline map: ItemsPath, ItemSelector from the map item, MaxConcurrency, INLINE processor', () => {
      // WHEN
      const definition = compile((start) =>
        start
          .map(
            'EachItem',
            ($) => $.items,
            {
              itemSelector: ($, ctx) => ({
                item: ctx.map.item.value,
                id: ctx.map.item.value.id,
                index: ctx.map.item.index,
                owner: $.name,
              }),
              maxConcurrency: 4,
              resultPath: '$.results',
            },
            (each) => each.pass('Inner', { parameters: ($) => ({ id: $.id, size: $.item.size }) }),
          )
          .succeed('Done'),
      );
      // THEN
      expect(definition.States.EachItem).to.deep.equal({
        Type: 'Map',
        ItemsPath: '$.items',
        ItemSelector: {
          'item.$': '$$.Map.Item.Value',
          'id.$': '$$.Map.Item.Value.id',
          'index.$': '$$.Map.Item.Index',
          'owner.$': '$.name',
        },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: 'Inner',
          States: {
            Inner: { Type: 'Pass', Parameters: { 'id.$': '$.id', 'size.$': '$.item.size' }, End: true },
          },
        },
        MaxConcurrency: 4,
        ResultPath: '$.results',
        Next: 'Done',
      });
    });

    it('renders a distributed map: CSV ItemReader, DISTRIBUTED processor, tolerated failures, label', () => {
      // WHEN
      const definition = compile((start) =>
        start
          .distributedMap(
            'EachRow',
            ($) => s3CsvItems<{ userId: string }>({ bucket: $.bucket, key: $.key, maxItems: 500 }),
            {
              itemSelector: (_$, ctx) => ({ name: ctx.map.item.value.userId }),
              maxConcurrency: 50,
              toleratedFailurePercentage: 5,
              label: 'rows',
              resultPath: null,
            },
            (each) =>
              each.lambdaStep('GreetRow', greet, ($) => ({ name: $.name, times: 1 }), { resultPath: null }),
          )
          .succeed('Done'),
      );
      // THEN
      expect(definition.States.EachRow).to.deep.equal({
        Type: 'Map',
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW', MaxItems: 500 },
          Parameters: { 'Bucket.$': '$.bucket', 'Key.$': '$.key' },
        },
        ItemSelector: { 'name.$': '$$.Map.Item.Value.userId' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'GreetRow',
          States: {
            GreetRow: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke',
              Parameters: { FunctionName: GREET_ARN, Payload: { 'name.$': '$.name', times: 1 } },
              ResultPath: null,
              End: true,
            },
          },
        },
        MaxConcurrency: 50,
        ToleratedFailurePercentage: 5,
        Label: 'rows',
        ResultPath: null,
        Next: 'Done',
      });
    });
  });

  describe('lambdaStep', () => {
    it('invokes the function with the payload and keeps the response Payload by default', () => {
      // WHEN
      const definition = compile((start) =>
        start.lambdaStep('Greet', greet, ($) => ({ name: $.name, times: 2 }), {
          resultPath: '$.greeting',
          timeoutSeconds: 30,
          comment: 'says hello',
        }),
      );
      // THEN
      expect(definition.States).to.deep.equal({
        Greet: {
          Type: 'Task',
          Comment: 'says hello',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: GREET_ARN, Payload: { 'name.$': '$.name', times: 2 } },
          ResultSelector: { 'Payload.$': '$.Payload' },
          ResultPath: '$.greeting',
          TimeoutSeconds: 30,
          End: true,
        },
      });
    });

    it('omits the result selector when the result is discarded (resultPath: null)', () => {
      // WHEN
      const definition = compile((start) =>
        start.lambdaStep('Greet', greet, ($, ctx) => ({ name: ctx.execution.name, times: $.times }), {
          resultPath: null,
        }),
      );
      // THEN
      expect(definition.States).to.deep.equal({
        Greet: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: {
            FunctionName: GREET_ARN,
            Payload: { 'name.$': '$$.Execution.Name', 'times.$': '$.times' },
          },
          ResultPath: null,
          End: true,
        },
      });
    });
  });

  describe('fargateStep', () => {
    /** Bindings of a cluster that runs tasks on Fargate Spot first, through a capacity provider strategy. */
    const spotBindings: ResourceBindings = {
      lambda: (job) => ({ functionArn: `arn:aws:lambda:eu-west-1:111122223333:function:${job.name}` }),
      fargate: (job) => ({
        cluster: 'arn:aws:ecs:eu-west-1:111122223333:cluster/batch',
        taskDefinition: `arn:aws:ecs:eu-west-1:111122223333:task-definition/${job.name}:7`,
        containerName: 'main',
        command: ['node', 'run.mjs', job.name],
        subnets: ['subnet-a'],
        securityGroups: ['sg-a', 'sg-b'],
        assignPublicIp: true,
        capacityProviderStrategy: [
          { capacityProvider: 'FARGATE_SPOT', weight: 3 },
          { capacityProvider: 'FARGATE', weight: 1, base: 1 },
        ],
        taskRoleArn: `arn:aws:iam::111122223333:role/${job.name}-task`,
        executionRoleArn: `arn:aws:iam::111122223333:role/${job.name}-execution`,
      }),
    };

    it('runs the task with a capacity provider strategy instead of LaunchType, the job fields as environment', () => {
      // GIVEN
      const workflow = workflowOf((start) =>
        start
          .fargateStep(
            'Crunch',
            crunch,
            ($) => ({ datasetId: $.datasetId, batchSize: $.times, mode: 'fast', label: $.name, limit: 100 }),
            { resultPath: null, timeoutSeconds: 3600 },
          )
          .retry(retryPresets.ecsCapacity())
          .succeed('Done'),
      );
      // WHEN
      const { definition, issues } = compileWorkflow(workflow, spotBindings);
      // THEN
      expect(issues).to.deep.equal([]);
      expect(definition.States.Crunch).to.deep.equal({
        Type: 'Task',
        Resource: 'arn:aws:states:::ecs:runTask.sync',
        Parameters: {
          CapacityProviderStrategy: [
            { CapacityProvider: 'FARGATE_SPOT', Weight: 3 },
            { CapacityProvider: 'FARGATE', Weight: 1, Base: 1 },
          ],
          Cluster: 'arn:aws:ecs:eu-west-1:111122223333:cluster/batch',
          TaskDefinition: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/crunch:7',
          Overrides: {
            ContainerOverrides: [
              {
                Name: 'main',
                Environment: [
                  { Name: 'DATASET_ID', 'Value.$': '$.datasetId' },
                  // ECS variables are text: a referenced number is serialised at run time.
                  { Name: 'BATCH_SIZE', 'Value.$': 'States.JsonToString($.times)' },
                  { Name: 'MODE', Value: 'fast' },
                  { Name: 'LABEL', 'Value.$': '$.name' },
                  { Name: 'LIMIT', Value: '100' },
                ],
                Command: ['node', 'run.mjs', 'crunch'],
              },
            ],
          },
          NetworkConfiguration: {
            AwsvpcConfiguration: {
              Subnets: ['subnet-a'],
              SecurityGroups: ['sg-a', 'sg-b'],
              AssignPublicIp: 'ENABLED',
            },
          },
        },
        ResultPath: null,
        TimeoutSeconds: 3600,
        Retry: [
          {
            ErrorEquals: ['ECS.AmazonECSException'],
            IntervalSeconds: 10,
            MaxAttempts: 5,
            BackoffRate: 2,
            MaxDelaySeconds: 120,
            JitterStrategy: 'FULL',
          },
        ],
        Next: 'Done',
      });
    });

    it('uses LaunchType FARGATE when the binding has no capacity providers', () => {
      // WHEN
      const definition = compile((start) =>
        start.fargateStep('Crunch', crunch, ($) => ({
          datasetId: $.datasetId,
          batchSize: 10,
          mode: 'thorough',
        })),
      );
      // THEN
      const parameters = definition.States.Crunch?.Parameters as Record<string, unknown>;
      expect(parameters).to.include({ LaunchType: 'FARGATE' });
      expect(parameters).not.to.have.property('CapacityProviderStrategy');
      expect(parameters.Overrides).to.deep.equal({
        ContainerOverrides: [
          {
            Name: 'job',
            Environment: [
              { Name: 'DATASET_ID', 'Value.$': '$.datasetId' },
              { Name: 'BATCH_SIZE', Value: '10' },
              { Name: 'MODE', Value: 'thorough' },
            ],
            Command: ['dist/jobs.mjs', 'crunch'],
          },
        ],
      });
    });
  });

  describe('startWorkflowStep', () => {
    const child = defineWorkflow({
      name: 'child',
      description: 'Started by another workflow',
      input: z.object({ who: z.string(), count: z.number() }),
      definition: (start) => start.succeed('ChildDone'),
    });

    it('renders states:startExecution with the typed input and a referenced execution name', () => {
      // WHEN
      const definition = compile((start) =>
        start
          .startWorkflowStep('StartChild', child, ($) => ({ who: $.name, count: $.times }), {
            executionName: ($) => $.datasetId,
            resultPath: '$.started',
          })
          .retry({ errors: ['StepFunctions.ExecutionLimitExceededException'], maxAttempts: 2 })
          .succeed('Done'),
      );
      // THEN
      expect(definition.States.StartChild).to.deep.equal({
        Type: 'Task',
        Resource: 'arn:aws:states:::states:startExecution',
        Parameters: {
          StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:audience-io-child',
          'Name.$': '$.datasetId',
          Input: { 'who.$': '$.name', 'count.$': '$.times' },
        },
        ResultPath: '$.started',
        Retry: [{ ErrorEquals: ['StepFunctions.ExecutionLimitExceededException'], MaxAttempts: 2 }],
        Next: 'Done',
      });
    });

    it('waits with .sync:2 when asked to', () => {
      const definition = compile((start) =>
        start.startWorkflowStep('RunChild', child, () => ({ who: 'x', count: 1 }), {
          waitForCompletion: true,
        }),
      );
      expect(definition.States.RunChild).to.include({
        Resource: 'arn:aws:states:::states:startExecution.sync:2',
      });
    });

    it('needs the bindings to know state machine ARNs', () => {
      const workflow = workflowOf((start) =>
        start.startWorkflowStep('StartChild', child, () => ({ who: 'x', count: 1 })),
      );
      const { stateMachineArn: _omitted, ...withoutStateMachines } = placeholderBindings();
      expect(() => compileWorkflow(workflow, withoutStateMachines)).to.throw(
        "State 'StartChild': starting workflow 'child' needs bindings.stateMachineArn",
      );
    });
  });

  describe('intrinsics', () => {
    it('renders States.Format with references and a quoted template whose placeholders stay placeholders', () => {
      // WHEN
      const definition = compile((start) =>
        start.pass('Label', {
          parameters: ($) => ({
            label: intrinsics.format("it's {} x{}", $.name, $.times),
            id: intrinsics.uuid(),
          }),
        }),
      );
      // THEN
      expect(definition.States.Label).to.deep.equal({
        Type: 'Pass',
        Parameters: { 'label.$': "States.Format('it\\'s {} x{}', $.name, $.times)", 'id.$': 'States.UUID()' },
        End: true,
      });
    });
  });

  describe('other intrinsics', () => {
    it('renders references and quoted literal arguments, escaping reserved characters in literals', () => {
      // WHEN
      const definition = compile((start) =>
        start.pass('Derive', {
          parameters: ($) => ({
            parts: intrinsics.stringSplit($.key, "{'/'}"),
            first: intrinsics.arrayGetItem($.items, 0),
            text: intrinsics.jsonToString($.times),
            id: intrinsics.uuid(),
          }),
        }),
      );
      // THEN
      expect(definition.States.Derive).to.deep.equal({
        Type: 'Pass',
        Parameters: {
          'parts.$': "States.StringSplit($.key, '\\{\\'/\\'\\}')",
          'first.$': 'States.ArrayGetItem($.items, 0)',
          'text.$': 'States.JsonToString($.times)',
          'id.$': 'States.UUID()',
        },
        End: true,
      });
    });
  });

  describe('retry and catch', () => {
    it('renders the presets, their overrides and rules of its own, in the order written', () => {
      // WHEN
      const definition = compile((start) =>
        start
          .lambdaStep('Greet', greet, ($) => ({ name: $.name, times: 1 }), { resultPath: null })
          .retry(retryPresets.lambdaServiceErrors(), { errors: ['GreetingRefused'], maxAttempts: 0 })
          .retry(retryPresets.lambdaServiceErrors({ maxAttempts: 3, jitter: 'FULL', maxDelaySeconds: 60 }))
          .retry({ errors: ['States.ALL'], intervalSeconds: 5, backoffRate: 1.5 }),
      );
      // THEN
      const lambdaErrors = [
        'Lambda.ServiceException',
        'Lambda.AWSLambdaException',
        'Lambda.SdkClientException',
        'Lambda.ClientExecutionTimeoutException',
      ];
      expect(definition.States.Greet?.Retry).to.deep.equal([
        { ErrorEquals: lambdaErrors, IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 },
        { ErrorEquals: ['GreetingRefused'], MaxAttempts: 0 },
        {
          ErrorEquals: lambdaErrors,
          IntervalSeconds: 2,
          MaxAttempts: 3,
          BackoffRate: 2,
          MaxDelaySeconds: 60,
          JitterStrategy: 'FULL',
        },
        { ErrorEquals: ['States.ALL'], IntervalSeconds: 5, BackoffRate: 1.5 },
      ]);
    });

    it('overrides the ECS preset', () => {
      expect(retryPresets.ecsCapacity({ intervalSeconds: 30, jitter: 'NONE' })).to.deep.equal({
        errors: ['ECS.AmazonECSException'],
        intervalSeconds: 30,
        maxAttempts: 5,
        backoffRate: 2,
        maxDelaySeconds: 120,
        jitter: 'NONE',
      });
    });

    it('keeps catchers in the order written, each leading to its handler', () => {
      // GIVEN
      const refused = fragment<unknown>().pass('Refused', { result: 'refused' }).succeed('Shrugged');
      const failed = fragment<{ error: CaughtError }>().fail('Failed', {
        error: 'GreetFailed',
        cause: ($) => $.error.Cause,
      });
      // WHEN
      const definition = compile((start) =>
        start
          .lambdaStep('Greet', greet, ($) => ({ name: $.name, times: 1 }))
          .catch(['GreetingRefused'], { resultPath: null, next: refused })
          .catch(['States.ALL'], { resultPath: '$.error', next: failed })
          .succeed('Done'),
      );
      // THEN
      expect(definition.States.Greet?.Catch).to.deep.equal([
        { ErrorEquals: ['GreetingRefused'], ResultPath: null, Next: 'Refused' },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' },
      ]);
      expect(definition.States).to.deep.include({
        Refused: { Type: 'Pass', Result: 'refused', Next: 'Shrugged' },
        Shrugged: { Type: 'Succeed' },
        Failed: { Type: 'Fail', Error: 'GreetFailed', CausePath: '$.error.Cause' },
      });
    });
  });

  describe('immutability', () => {
    it('leaves a chain unchanged when a state, a retry or a catch is added to it', () => {
      // GIVEN
      const base = fragment<Input>().lambdaStep('Greet', greet, ($) => ({ name: $.name, times: 1 }));
      const before = structuredClone(chainNode(base).states.map((s) => ({ name: s.name, kind: s.kind })));
      // WHEN
      const longer = base.pass('After', { result: 1 });
      const retried = base.retry(retryPresets.lambdaServiceErrors());
      const caught = base.catch(['States.ALL'], {
        resultPath: null,
        next: fragment<Input>().succeed('Caught'),
      });
      // THEN
      expect(chainNode(base).states.map((s) => ({ name: s.name, kind: s.kind }))).to.deep.equal(before);
      // Unset until the author sets them, so the workflow's defaults can apply.
      expect(chainNode(base).states[0]).not.to.have.any.keys('retry', 'catch');
      expect(chainNode(longer).states.map((s) => s.name)).to.deep.equal(['Greet', 'After']);
      expect(chainNode(retried).states[0]).not.to.have.property('catch');
      expect(chainNode(caught).states[0]).not.to.have.property('retry');
    });

    it('lets one chain value be extended twice, each extension on its own', () => {
      // GIVEN
      const base = fragment<Input>().pass('First', { result: 1 });
      // WHEN
      const viaA = base.pass('Second', { result: 'a' }).succeed('DoneA');
      const viaB = base.pass('Second', { result: 'b' }).succeed('DoneB');
      // THEN
      expect(compile(() => viaA).States).to.deep.equal({
        First: { Type: 'Pass', Result: 1, Next: 'Second' },
        Second: { Type: 'Pass', Result: 'a', Next: 'DoneA' },
        DoneA: { Type: 'Succeed' },
      });
      expect(compile(() => viaB).States.Second).to.deep.equal({ Type: 'Pass', Result: 'b', Next: 'DoneB' });
      expect(compile(() => base).States).to.deep.equal({ First: { Type: 'Pass', Result: 1, End: true } });
    });
  });

  describe('misuse throws at once, naming the state', () => {
    it('a state name used twice in a chain', () => {
      const chain = fragment<Input>().pass('Twice', { result: 1 });
      expect(() => chain.pass('Twice', { result: 2 })).to.throw(
        "State 'Twice': name already used in this chain",
      );
    });

    it('a step after succeed', () => {
      // GIVEN a terminated chain, whose type has no `pass`
      const ended = fragment<Input>().succeed('Done') as unknown as Start;
      // WHEN / THEN
      expect(() => ended.pass('Later', { result: 1 })).to.throw(
        "State 'Later': cannot follow 'Done', which ends the chain",
      );
    });

    it('a retry or a catch on a Pass', () => {
      const chain = fragment<Input>().pass('Plain', { result: 1 });
      expect(() => chain.retry({ errors: ['States.ALL'] } as never)).to.throw(
        "State 'Plain': Retry applies to Task, Parallel and Map states, not pass",
      );
      expect(() =>
        chain.catch(['States.ALL'] as never, { resultPath: null, next: fragment<unknown>().succeed('X') }),
      ).to.throw("State 'Plain': Catch applies to Task, Parallel and Map states, not pass");
    });

    it('a job on an executor it does not run on', () => {
      const chain = fragment<Input>();
      expect(() =>
        chain.lambdaStep(
          'Crunch',
          crunch as never,
          () => ({ datasetId: 'd', batchSize: 1, mode: 'fast' }) as never,
        ),
      ).to.throw("State 'Crunch': job 'crunch' cannot run on lambda (runsOn: fargate)");
      expect(() =>
        chain.fargateStep('Greet', greet as never, () => ({ name: 'n', times: 1 }) as never),
      ).to.throw("State 'Greet': job 'greet' cannot run on fargate (runsOn: lambda)");
    });

    it('a result path that is not `$`, null or a dotted path', () => {
      const chain = fragment<Input>();
      expect(() => chain.pass('Indexed', { result: 1, resultPath: '$.items[0]' })).to.throw(
        "State 'Indexed': resultPath '$.items[0]' must be '$' or a dotted path like '$.a.b'",
      );
      expect(() =>
        chain.lambdaStep('Greet', greet, ($) => ({ name: $.name, times: 1 }), {
          resultPath: 'greeting' as never,
        }),
      ).to.throw("State 'Greet': resultPath 'greeting'");
    });
  });
});
