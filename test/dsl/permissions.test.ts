import { expect } from 'chai';
import { z } from 'zod';
import {
  type AnyChain,
  type Chain,
  defineJob,
  defineWorkflow,
  type IamStatement,
  placeholderBindings,
  type ResourceBindings,
  workflowPermissions,
} from '../../dsl/index.ts';
import type { RootScope } from '../../dsl/workflow.ts';
import { allWorkflows } from '../../workflows/index.ts';
import { render } from './render.ts';
import { touch } from './test-jobs.ts';

const greet = defineJob({
  name: 'greet',
  description: 'Greets someone',
  input: z.object({ name: z.string() }),
  output: z.object({ message: z.string() }),
  runsOn: ['lambda'],
  module: 'test/dsl/greet.ts',
});

const crunch = defineJob({
  name: 'crunch',
  description: 'Crunches a dataset',
  input: z.object({ datasetId: z.string() }),
  output: z.object({}),
  runsOn: ['fargate'],
  module: 'test/dsl/crunch.ts',
});

const Input = z.object({ name: z.string(), ids: z.array(z.string()) });
type Input = z.input<typeof Input>;

/** A workflow over `Input` whose definition is the given chain. */
function workflowOf(definition: (start: Chain<Input, Input, RootScope>) => AnyChain<RootScope>) {
  return defineWorkflow({
    name: 'permissions-test',
    description: 'Permissions test',
    input: Input,
    definition,
  });
}

const ACCOUNT = '123456789012';
const arn = (job: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:audience-io-${job}`;

/** Stands in for a Pulumi Output: a value only reachable through `apply`. */
class FakeOutput {
  constructor(readonly value: string) {}
  apply(f: (value: string) => string): FakeOutput {
    return new FakeOutput(f(this.value));
  }
}

/** The text behind a resource, whether a string or a fake Output. */
function textOf(resource: unknown): string {
  return resource instanceof FakeOutput ? `output(${resource.value})` : String(resource);
}

/** Bindings whose every ARN is a fake Output. */
function outputBindings(): ResourceBindings {
  const functions = new Map<string, FakeOutput>();
  const cluster = new FakeOutput(`arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/jobs`);
  return {
    lambda: (job) => {
      // One Output per function, as a Pulumi program holds one resource per job.
      let functionArn = functions.get(job.name);
      if (!functionArn) {
        functionArn = new FakeOutput(arn(job.name));
        functions.set(job.name, functionArn);
      }
      return { functionArn: functionArn as never };
    },
    fargate: (job) => ({
      cluster: cluster as never,
      taskDefinition: new FakeOutput(
        `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/${job.name}:1`,
      ) as never,
      containerName: 'job',
      subnets: ['subnet-a'],
      securityGroups: ['sg-a'],
      taskRoleArn: new FakeOutput(`arn:aws:iam::${ACCOUNT}:role/${job.name}-task`) as never,
      executionRoleArn: new FakeOutput(`arn:aws:iam::${ACCOUNT}:role/${job.name}-execution`) as never,
    }),
  };
}

describe('workflow permissions', () => {
  it('grants lambda:InvokeFunction on the function ARN and its versions and aliases (ARN:*)', () => {
    // GIVEN
    const workflow = workflowOf((start) => start.lambdaStep('Greet', greet, ($) => ({ name: $.name })));
    // WHEN
    const { permissions } = render(workflow);
    // THEN
    expect(permissions).to.deep.equal([
      { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [arn('greet'), `${arn('greet')}:*`] },
    ]);
  });

  it('grants exactly what ecs:runTask.sync needs: run (any revision of the family), stop/describe, the managed rule, and PassRole', () => {
    // GIVEN
    const workflow = workflowOf((start) =>
      start.fargateStep('Crunch', crunch, ($) => ({ datasetId: $.name })),
    );
    // WHEN
    const { permissions } = render(workflow);
    // THEN
    expect(permissions).to.deep.equal([
      {
        Effect: 'Allow',
        Action: ['ecs:RunTask'],
        Resource: [`arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/audience-io-crunch:*`],
        Condition: { ArnEquals: { 'ecs:cluster': `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/audience-io` } },
      },
      {
        Effect: 'Allow',
        Action: ['ecs:StopTask', 'ecs:DescribeTasks'],
        Resource: [`arn:aws:ecs:us-east-1:${ACCOUNT}:task/audience-io/*`],
      },
      {
        Effect: 'Allow',
        Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        Resource: [`arn:aws:events:us-east-1:${ACCOUNT}:rule/StepFunctionsGetEventsForECSTaskRule`],
      },
      {
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: [
          `arn:aws:iam::${ACCOUNT}:role/audience-io-crunch-task`,
          `arn:aws:iam::${ACCOUNT}:role/audience-io-crunch-execution`,
        ],
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      },
    ]);
  });

  it('grants states:StartExecution on exactly the started workflow, plus what .sync:2 needs when waiting', () => {
    // GIVEN a workflow that starts `child` twice: once fire-and-forget, once waiting for it
    const child = defineWorkflow({
      name: 'child',
      description: 'Started by another workflow',
      input: z.object({ who: z.string() }),
      definition: (start) => start.succeed('Done'),
    });
    const workflow = workflowOf((start) =>
      start
        .startWorkflowStep('Start', child, ($) => ({ who: $.name }), { resultPath: null })
        .startWorkflowStep('StartAndWait', child, ($) => ({ who: $.name }), {
          waitForCompletion: true,
          resultPath: null,
        }),
    );
    // WHEN
    const { permissions } = render(workflow);
    // THEN
    const childArn = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:audience-io-child`;
    expect(permissions).to.deep.equal([
      { Effect: 'Allow', Action: ['states:StartExecution'], Resource: [childArn] },
      {
        Effect: 'Allow',
        Action: ['states:DescribeExecution', 'states:StopExecution'],
        Resource: [`arn:aws:states:us-east-1:${ACCOUNT}:execution:audience-io-child:*`],
      },
      {
        Effect: 'Allow',
        Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        Resource: [
          `arn:aws:events:us-east-1:${ACCOUNT}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`,
        ],
      },
    ]);
  });

  it('is the union over the whole graph: a lambda in a parallel branch and one in a map iteration', () => {
    // GIVEN
    const workflow = workflowOf((start) =>
      start
        .parallel('Fan', [(b) => b.lambdaStep('GreetInBranch', greet, ($) => ({ name: $.name }))], {
          resultPath: null,
        })
        .map(
          'EachId',
          ($) => $.ids,
          { resultPath: null },
          (each) => each.lambdaStep('TouchInMap', touch, ($) => ({ id: $ })),
        ),
    );
    // WHEN
    const { permissions } = render(workflow);
    // THEN
    expect(permissions).to.deep.equal([
      {
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: [arn('greet'), `${arn('greet')}:*`, arn('touch'), `${arn('touch')}:*`],
      },
    ]);
  });

  it('grants a function used by two steps once', () => {
    // GIVEN
    const workflow = workflowOf((start) =>
      start
        .lambdaStep('GreetOnce', greet, ($) => ({ name: $.name }), { resultPath: null })
        .lambdaStep('GreetTwice', greet, ($) => ({ name: $.name }), { resultPath: null }),
    );
    // WHEN
    const { permissions } = render(workflow);
    // THEN
    expect(permissions).to.deep.equal([
      { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [arn('greet'), `${arn('greet')}:*`] },
    ]);
  });

  it('never grants a wildcard action, in the repository workflows or here', () => {
    // GIVEN
    const mixed = workflowOf((start) =>
      start
        .lambdaStep('Greet', greet, ($) => ({ name: $.name }), { resultPath: null })
        .fargateStep('Crunch', crunch, ($) => ({ datasetId: $.name }), { resultPath: null }),
    );
    for (const workflow of [...allWorkflows, mixed]) {
      // WHEN
      const actions = render(workflow).permissions.flatMap((s) => s.Action);
      // THEN
      expect(actions, workflow.name).not.to.be.empty;
      for (const action of actions) expect(action, workflow.name).to.match(/^[a-z0-9]+:[A-Za-z]+$/);
    }
  });

  describe('with Pulumi Output-like values (no Pulumi engine)', () => {
    it('derives ARN:* and the cluster resources through `apply`, keeping the Outputs as they are', () => {
      // GIVEN
      const bindings = outputBindings();
      const workflow = workflowOf((start) =>
        start
          .lambdaStep('Greet', greet, ($) => ({ name: $.name }), { resultPath: null })
          .fargateStep('Crunch', crunch, ($) => ({ datasetId: $.name }), { resultPath: null }),
      );
      // WHEN
      const permissions = workflowPermissions(workflow.root, bindings, workflow.name);
      // THEN
      const greetArn = bindings.lambda(greet).functionArn;
      expect(permissions[0]?.Resource[0]).to.equal(greetArn);
      expect(permissions[0]?.Resource[1]).to.be.instanceOf(FakeOutput);
      const readable = permissions.map((s: IamStatement) => ({
        Action: s.Action,
        Resource: s.Resource.map(textOf),
      }));
      expect(readable).to.deep.equal([
        {
          Action: ['lambda:InvokeFunction'],
          Resource: [`output(${arn('greet')})`, `output(${arn('greet')}:*)`],
        },
        {
          Action: ['ecs:RunTask'],
          Resource: [`output(arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/crunch:*)`],
        },
        {
          Action: ['ecs:StopTask', 'ecs:DescribeTasks'],
          Resource: [`output(arn:aws:ecs:eu-west-1:${ACCOUNT}:task/jobs/*)`],
        },
        {
          Action: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
          Resource: [`output(arn:aws:events:eu-west-1:${ACCOUNT}:rule/StepFunctionsGetEventsForECSTaskRule)`],
        },
        {
          Action: ['iam:PassRole'],
          Resource: [
            `output(arn:aws:iam::${ACCOUNT}:role/crunch-task)`,
            `output(arn:aws:iam::${ACCOUNT}:role/crunch-execution)`,
          ],
        },
      ]);
      expect(permissions[1]?.Condition).to.deep.equal({
        ArnEquals: { 'ecs:cluster': bindings.fargate(crunch).cluster },
      });
    });
    it('grants a function used by two steps once when its ARN is an Output', () => {
      // GIVEN
      const bindings = outputBindings();
      const workflow = workflowOf((start) =>
        start
          .lambdaStep('GreetOnce', greet, ($) => ({ name: $.name }), { resultPath: null })
          .lambdaStep('GreetTwice', greet, ($) => ({ name: $.name }), { resultPath: null }),
      );
      // WHEN
      const permissions = workflowPermissions(workflow.root, bindings, workflow.name);
      // THEN
      expect(permissions.map((s) => s.Resource.map(textOf))).to.deep.equal([
        [`output(${arn('greet')})`, `output(${arn('greet')}:*)`],
      ]);
    });

    it('appends to a plain string without any Output', () => {
      // GIVEN plain bindings next to the Output ones
      const workflow = workflowOf((start) => start.lambdaStep('Greet', greet, ($) => ({ name: $.name })));
      // WHEN
      const permissions = workflowPermissions(workflow.root, placeholderBindings(), workflow.name);
      // THEN
      expect(permissions[0]?.Resource).to.deep.equal([arn('greet'), `${arn('greet')}:*`]);
    });
  });
});
