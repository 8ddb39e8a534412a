import { expect } from 'chai';
import { z } from 'zod';
import {
  type CaughtError,
  conditions,
  defineJob,
  defineWorkflow,
  fragment,
  retryPresets,
} from '../../dsl/index.ts';
import { render } from './render.ts';

const work = defineJob({
  name: 'work',
  description: 'Works',
  input: z.object({ id: z.string() }),
  output: z.object({ done: z.boolean() }),
  runsOn: ['lambda', 'fargate'],
  module: 'test/dsl/work.ts',
});

const Input = z.object({ id: z.string(), ids: z.array(z.string()), go: z.boolean() });
type Input = z.infer<typeof Input>;

type Json = Record<string, unknown>;

/** The Retry errors and Catch targets of every Task state, by name (nested scopes included). */
function recoveryOf(scope: { States: Record<string, unknown> }, into: Record<string, unknown> = {}) {
  for (const [name, value] of Object.entries(scope.States)) {
    const state = value as Json & { Retry?: Json[]; Catch?: Json[]; Branches?: Json[]; ItemProcessor?: Json };
    if (state.Type === 'Task')
      into[name] = {
        retry: (state.Retry ?? []).map((r) => (r.ErrorEquals as string[])[0]),
        catch: (state.Catch ?? []).map((c) => c.Next),
      };
    for (const branch of state.Branches ?? []) recoveryOf(branch as never, into);
    if (state.ItemProcessor) recoveryOf(state.ItemProcessor as never, into);
  }
  return into;
}

describe('workflow defaults for Retry and Catch', () => {
  const failed = (step: string) =>
    fragment<Input & { failure: CaughtError }>()
      .lambdaStep(`Record${step}`, work, ($) => ({ id: $.id }), { resultPath: null })
      .fail(`${step}Failed`, { error: 'Failed' });

  it('gives every task the retriers of its kind, and the Catch to the tasks of the top-level scope only', () => {
    // GIVEN tasks in the definition, a Choice branch, a Parallel branch, a Map iteration and the Catch handlers
    const workflow = defineWorkflow({
      name: 'defaults',
      description: 'Defaults',
      input: Input,
      defaults: {
        retry: { lambda: [retryPresets.lambdaServiceErrors()], fargate: [retryPresets.ecsCapacity()] },
        catch: (step) => ({ errors: ['States.ALL'], resultPath: '$.failure', next: failed(step) }),
      },
      definition: (start) =>
        start
          .lambdaStep('Top', work, ($) => ({ id: $.id }), { resultPath: null })
          .choice('Go', ($) => [
            {
              condition: conditions.eq($.go, true),
              steps: (b) => b.fargateStep('InBranch', work, ($) => ({ id: $.id }), { resultPath: null }),
            },
          ])
          .parallel('Fan', [(b) => b.lambdaStep('InParallel', work, ($) => ({ id: $.id }))], {
            resultPath: null,
          })
          .map(
            'Each',
            ($) => $.ids,
            { resultPath: null },
            (item) => item.lambdaStep('InMap', work, ($) => ({ id: $ })),
          )
          .lambdaStep('Own', work, ($) => ({ id: $.id }), { resultPath: null })
          .retry({ errors: ['States.Timeout'], maxAttempts: 1 })
          .lambdaStep('NoRetry', work, ($) => ({ id: $.id }), { resultPath: null })
          .retry()
          .succeed('Done'),
    });
    // WHEN
    const { definition, issues } = render(workflow);
    // THEN
    expect(issues).to.deep.equal([]);
    const lambda = ['Lambda.ServiceException'];
    expect(recoveryOf(definition)).to.deep.equal({
      Top: { retry: lambda, catch: ['RecordTop'] },
      InBranch: { retry: ['ECS.AmazonECSException'], catch: ['RecordInBranch'] },
      InParallel: { retry: lambda, catch: [] },
      InMap: { retry: lambda, catch: [] },
      Own: { retry: ['States.Timeout'], catch: ['RecordOwn'] },
      NoRetry: { retry: [], catch: ['RecordNoRetry'] },
      // The handlers' own tasks retry, but do not catch into themselves.
      RecordTop: { retry: lambda, catch: [] },
      RecordInBranch: { retry: lambda, catch: [] },
      RecordOwn: { retry: lambda, catch: [] },
      RecordNoRetry: { retry: lambda, catch: [] },
    });
  });

  it('renders a Catch handler written in place into the scope, looping back to the failed step', () => {
    const workflow = defineWorkflow({
      name: 'retry-loop',
      description: 'A handler that waits and tries again',
      input: Input,
      definition: (start) =>
        start
          .lambdaStep('Try', work, ($) => ({ id: $.id }), { resultPath: null })
          .catch(['States.TaskFailed'], {
            resultPath: '$.error',
            next: (handler) => handler.wait('Backoff', { seconds: 10 }).goto('Try'),
          })
          .succeed('Done'),
    });
    const { definition, issues } = render(workflow);
    expect(issues).to.deep.equal([]);
    expect(definition.States.Try).to.deep.include({
      Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.error', Next: 'Backoff' }],
    });
    expect(definition.States.Backoff).to.deep.equal({ Type: 'Wait', Seconds: 10, Next: 'Try' });
  });
});

describe('a Fargate step that runs a stopped task again', () => {
  it('fails the execution with the task error when no other catcher takes it', () => {
    const workflow = defineWorkflow({
      name: 'stopped',
      description: 'Stopped tasks',
      input: Input,
      definition: (start) =>
        start
          .fargateStep('Crunch', work, ($) => ({ id: $.id }), {
            resultPath: null,
            retryStoppedTask: { maxAttempts: 1 },
          })
          .succeed('Done'),
    });
    const { definition, issues } = render(workflow);
    expect(issues).to.deep.equal([]);
    expect(definition.States.CrunchNotRunAgain).to.deep.equal({
      Type: 'Fail',
      ErrorPath: '$.taskStopped.Error',
      CausePath: '$.taskStopped.Cause',
    });
    expect(definition.States.CrunchRunAgain).to.deep.include({ Default: 'Crunch' });
  });

  it('refuses it on a callback step, or without a positive number of runs', () => {
    const stopped = (options: object) => () =>
      defineWorkflow({
        name: 'stopped-bad',
        description: 'Stopped tasks',
        input: Input,
        definition: (start) =>
          start.fargateStep('Crunch', work, ($) => ({ id: $.id }), options as never).succeed('Done'),
      });
    expect(stopped({ retryStoppedTask: { maxAttempts: 0 } })).to.throw(/maxAttempts of at least 1/);
    expect(stopped({ integration: 'waitForTaskToken', retryStoppedTask: { maxAttempts: 2 } })).to.throw(
      /\.sync pattern/,
    );
  });
});

describe('a callback job step', () => {
  it('refuses a job whose input has a field named like the task token', () => {
    const tokenJob = defineJob({
      name: 'token-job',
      description: 'Has a taskToken field',
      input: z.object({ taskToken: z.string() }),
      output: z.object({}),
      runsOn: ['lambda'],
      module: 'test/dsl/token-job.ts',
    });
    expect(() =>
      defineWorkflow({
        name: 'token-clash',
        description: 'Token clash',
        input: Input,
        definition: (start) =>
          start
            .lambdaStep('Ask', tokenJob, ($) => ({ taskToken: $.id }), { integration: 'waitForTaskToken' })
            .succeed('Done'),
      }),
    ).to.throw("State 'Ask': job 'token-job' has an input field 'taskToken'");
  });
});
