/**
 * Type tests of the control flow (checked by `tsc --noEmit`): loops to earlier states, catch handlers written in
 * place, the errors a Parallel or Map may raise, and a workflow's default Catch. Each `@ts-expect-error` line must
 * not compile.
 */
import { expect } from 'chai';
import { expectTypeOf } from 'expect-type';
import { z } from 'zod';
import {
  type AnyChain,
  type CaughtError,
  type Chain,
  conditions,
  defineJob,
  defineWorkflow,
  fragment,
  type RetryRule,
} from '../../dsl/index.ts';

const submit = defineJob({
  name: 'submit',
  description: 'Submits a report request',
  input: z.object({ reportId: z.string() }),
  output: z.object({ requestId: z.string() }),
  runsOn: ['lambda'],
  module: 'test/dsl/submit.ts',
  errors: ['Rejected'],
});

const status = defineJob({
  name: 'status',
  description: 'Reports the state of a request',
  input: z.object({ requestId: z.string() }),
  output: z.object({ state: z.enum(['running', 'done', 'failed']) }),
  runsOn: ['lambda'],
  module: 'test/dsl/status.ts',
  errors: ['Unknown'],
});

const Input = z.object({ reportId: z.string() });
type Input = z.infer<typeof Input>;

function flow(definition: (start: Chain<Input, Input, 'w'>) => AnyChain<'w'>) {
  return defineWorkflow({ name: 'flow-types', description: 'type test', input: Input, definition });
}

describe('DSL types: control flow', () => {
  it('loops back to an earlier state by name when the arriving state has what that state was written for', () => {
    const workflow = flow((start) =>
      start
        .lambdaStep('Submit', submit, ($) => ({ reportId: $.reportId }), { resultPath: '$.submitted' })
        .wait('Pause', { seconds: 5 })
        .lambdaStep('Poll', status, ($) => ({ requestId: $.submitted.Payload.requestId }), {
          resultPath: '$.status',
        })
        .choice(
          'Done?',
          ($) => [
            { condition: conditions.eq($.status.Payload.state, 'done'), steps: (b) => b.succeed('Done') },
            {
              condition: conditions.eq($.status.Payload.state, 'failed'),
              steps: (b) => b.fail('Failed', { error: 'ReportFailed' }),
            },
          ],
          (otherwise) => otherwise.goto('Pause'),
        ),
    );
    expect(workflow.root.states.map((s) => s.name)).to.deep.equal(['Submit', 'Pause', 'Poll', 'Done?']);
  });

  it('refuses a loop to a state that does not exist, or whose needs the arriving state lacks', () => {
    flow((start) =>
      start
        .wait('Pause', { seconds: 5 })
        // @ts-expect-error there is no state 'Pouse' to loop back to
        .goto('Pouse'),
    );
    flow((start) =>
      start
        .lambdaStep('Submit', submit, ($) => ({ reportId: $.reportId }), { resultPath: '$.submitted' })
        .lambdaStep('Poll', status, ($) => ({ requestId: $.submitted.Payload.requestId }), {
          resultPath: '$',
        })
        // @ts-expect-error the result replaced the state: 'Poll' needs `submitted`, which is gone
        .goto('Poll'),
    );
  });

  it('lets a catch handler written in place loop back to the failed step', () => {
    flow((start) =>
      start
        .lambdaStep('Submit', submit, ($) => ({ reportId: $.reportId }), { resultPath: null })
        .catch(['Rejected'], {
          resultPath: '$.rejection',
          next: (handler) => {
            expectTypeOf(handler).toMatchTypeOf<
              Chain<Input & { rejection: CaughtError }, Input & { rejection: CaughtError }, 'w'>
            >();
            return handler.wait('Backoff', { seconds: 60 }).goto('Submit');
          },
        })
        .succeed('Submitted'),
    );
  });

  it("types a Parallel's Retry and Catch with what its branches may raise, plus States.*", () => {
    flow((start) =>
      start
        .parallel(
          'Both',
          [
            (b) => b.lambdaStep('SubmitA', submit, ($) => ({ reportId: $.reportId })),
            (b) => b.pass('Nothing', { result: 1 }).fail('Broken', { error: 'Broken' }),
          ],
          { resultPath: null },
        )
        .retry({ errors: ['Rejected', 'Broken', 'States.BranchFailed', 'Lambda.ServiceException'] })
        // @ts-expect-error `States.TaskFailled` is misspelt: no branch raises it
        .catch(['States.TaskFailled'], { resultPath: null, next: fragment<Input>().succeed('Caught') })
        .succeed('Done'),
    );
  });

  it("types a Map's Retry with what its iteration may raise", () => {
    const Items = z.object({ ids: z.array(z.string()) });
    defineWorkflow({
      name: 'map-errors',
      description: 'type test',
      input: Items,
      definition: (start) =>
        start
          .map(
            'Each',
            ($) => $.ids,
            {},
            (item) => item.lambdaStep('Status', status, ($) => ({ requestId: $ })),
          )
          .retry({ errors: ['Unknown'] })
          // @ts-expect-error `Rejected` is raised by `submit`, which the iteration does not run
          .retry({ errors: ['Rejected'] })
          .succeed('Done'),
    });
  });

  it('checks every task against the default Catch, which needs `reportId` beside the error', () => {
    const failed = fragment<{ reportId: string; failure: CaughtError }>().fail('Failed', { error: 'Failed' });
    const defaults = {
      retry: {
        lambda: [
          { errors: ['Lambda.ServiceException'], maxAttempts: 3 },
        ] as RetryRule<'Lambda.ServiceException'>[],
      },
      catch: () => ({ errors: ['States.ALL'] as const, resultPath: '$.failure' as const, next: failed }),
    };
    defineWorkflow({
      name: 'defaults-ok',
      description: 'type test',
      input: Input,
      defaults,
      definition: (start) =>
        start
          .lambdaStep('Submit', submit, ($) => ({ reportId: $.reportId }), { resultPath: '$.submitted' })
          .succeed('Done'),
    });
    defineWorkflow({
      name: 'defaults-lost',
      description: 'type test',
      input: Input,
      defaults,
      definition: (start) =>
        start
          .lambdaStep('Submit', submit, ($) => ({ reportId: $.reportId }))
          // @ts-expect-error the state is now the job's result: the default Catch's handler would miss `reportId`
          .lambdaStep('Poll', status, ($) => ({ requestId: $.Payload.requestId }))
          .succeed('Done'),
    });
  });
});
