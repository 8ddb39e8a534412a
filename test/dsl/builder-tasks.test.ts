import { expect } from 'chai';
import { z } from 'zod';

import {
  compileWorkflow,
  defineWorkflow,
  placeholderBindings,
  type ResourceBindings,
  retryPresets,
} from '../../dsl/index.ts';
import { compile, crunch, GREET_ARN, greet, workflowOf } from './builder-fixtures.ts';

describe('the workflow builder: tasks', () => {
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
});
