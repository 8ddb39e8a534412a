/**
 * Type tests: `tsc --noEmit` (part of `npm test`) checks this file. Each `@ts-expect-error` line must NOT
 * compile; if the DSL ever accepted it, tsc would report an unused directive and the test run would fail.
 */
import { expect } from 'chai';
import { expectTypeOf } from 'expect-type';
import { z } from 'zod';
import {
  type AnyChain,
  type Chain,
  type ChainOutput,
  contextRefs,
  defineJob,
  defineWorkflow,
  fragment,
  type Ref,
  retryPresets,
} from '../../dsl/index.ts';

const greet = defineJob({
  name: 'greet',
  description: 'test job',
  input: z.object({ name: z.string(), times: z.number(), mood: z.enum(['happy', 'sad']).optional() }),
  output: z.object({ greeting: z.string(), count: z.number() }),
  runsOn: ['lambda', 'fargate'],
  module: 'test/greet.ts',
  errors: ['Grumpy'],
});

const onlyFargate = defineJob({
  name: 'only-fargate',
  description: 'test job',
  input: z.object({ name: z.string() }),
  output: z.object({}),
  runsOn: ['fargate'],
  module: 'test/only-fargate.ts',
});

const Input = z.object({
  person: z.object({ name: z.string(), age: z.number() }),
  nickname: z.string().optional(),
  people: z.array(z.object({ name: z.string() })),
});
type Input = z.infer<typeof Input>;

/** Builds a workflow around one definition; the compile-time checks are in the definitions below. */
function flow(definition: (start: Chain<Input, Input, 'w'>) => AnyChain<'w'>) {
  return defineWorkflow({ name: 'types', description: 'type test', input: Input, definition });
}

describe('DSL types', () => {
  it('accepts a payload that matches the job input', () => {
    const workflow = flow((start) =>
      start
        .lambdaStep('Greet', greet, ($) => ({ name: $.person.name, times: $.person.age, mood: 'happy' }))
        .succeed('Done'),
    );
    expect(workflow.root.states).to.have.length(2);
  });

  it('rejects references to fields that do not exist', () => {
    flow((start) =>
      start
        // @ts-expect-error `nmae` is not a field of the workflow input
        .lambdaStep('Greet', greet, ($) => ({ name: $.person.nmae, times: 1 }))
        .succeed('Done'),
    );
  });

  it('rejects a reference of the wrong type for the job field', () => {
    flow((start) =>
      start
        // @ts-expect-error `age` is a number, the job's `name` is a string
        .lambdaStep('Greet', greet, ($) => ({ name: $.person.age, times: 1 }))
        .succeed('Done'),
    );
  });

  it('rejects a literal of the wrong type and an enum value that does not exist', () => {
    flow((start) =>
      start
        // @ts-expect-error `times` is a number
        .lambdaStep('Greet', greet, () => ({ name: 'x', times: 'twice' }))
        .succeed('Done'),
    );
    flow((start) =>
      start
        // @ts-expect-error `angry` is not a mood
        .lambdaStep('Greet', greet, () => ({ name: 'x', times: 1, mood: 'angry' }))
        .succeed('Done'),
    );
  });

  it('rejects a payload missing a required job field', () => {
    flow((start) =>
      start
        // @ts-expect-error `times` is required
        .lambdaStep('Greet', greet, ($) => ({ name: $.person.name }))
        .succeed('Done'),
    );
  });

  it('rejects an optional workflow field for a required job field', () => {
    flow((start) =>
      start
        // @ts-expect-error `nickname` may be absent, the job's `name` may not
        .lambdaStep('Greet', greet, ($) => ({ name: $.nickname, times: 1 }))
        .succeed('Done'),
    );
  });

  it('checks a fargateStep environment against the job input too', () => {
    flow((start) =>
      start
        // @ts-expect-error `times` is required
        .fargateStep('Greet', greet, ($) => ({ name: $.person.name }))
        .succeed('Done'),
    );
  });

  it('rejects a map-item reference outside a map item selector', () => {
    // Outside a selector the context object has no `map` at run time either.
    expect(() =>
      flow((start) =>
        start
          .lambdaStep('Greet', greet, (_$, ctx) => ({
            // @ts-expect-error `$$.Map.Item` exists only in a map's item selector
            name: ctx.map.item.value,
            times: 1,
          }))
          .succeed('Done'),
      ),
    ).to.throw(TypeError);
  });

  it('accepts a map-item reference in the item selector, and types the iteration by it', () => {
    const workflow = flow((start) =>
      start
        .map(
          'EachPerson',
          ($) => $.people,
          {
            itemSelector: (_$, ctx) => ({ who: ctx.map.item.value.name, index: ctx.map.item.index }),
            resultPath: null,
          },
          (item) => {
            expectTypeOf(item).toEqualTypeOf<
              Chain<{ who: string; index: number }, { who: string; index: number }, 'w>m'>
            >();
            return item
              .lambdaStep('GreetOne', greet, ($) => ({ name: $.who, times: $.index }))
              .succeed('Greeted');
          },
        )
        .succeed('Done'),
    );
    expect(workflow.steps.map((s) => s.job.name)).to.deep.equal(['greet']);
  });

  it('rejects the outer state inside a map iteration, where `$` is the item', () => {
    flow((start) =>
      start
        .lambdaStep('Greet', greet, ($) => ({ name: $.person.name, times: 1 }), { resultPath: null })
        .map(
          'EachPerson',
          ($) => $.people,
          {},
          (item) =>
            // @ts-expect-error `person` is not a field of the item
            item.lambdaStep('GreetOne', greet, ($) => ({ name: $.person.name, times: 1 })).succeed('Greeted'),
        )
        .succeed('Done'),
    );
  });

  it('rejects a job on an executor it does not run on', () => {
    expect(() =>
      flow((start) =>
        start
          // @ts-expect-error only-fargate cannot run on Lambda
          .lambdaStep('Run', onlyFargate, ($) => ({ name: $.person.name }))
          .succeed('Done'),
      ),
    ).to.throw("State 'Run': job 'only-fargate' cannot run on lambda");
  });

  it('types the result a step places, and the state after it', () => {
    flow((start) => {
      const placed = start.lambdaStep('Greet', greet, ($) => ({ name: $.person.name, times: 1 }), {
        resultPath: '$.greeting',
      });
      expectTypeOf<ChainOutput<typeof placed>>().toEqualTypeOf<{
        person: { name: string; age: number };
        nickname?: string | undefined;
        people: { name: string }[];
        greeting: { readonly Payload: { greeting: string; count: number } };
      }>();
      return placed
        .lambdaStep('GreetAgain', greet, ($) => {
          expectTypeOf($.greeting.Payload.count).toEqualTypeOf<Ref<number, 'w'> & unknown>();
          return { name: $.greeting.Payload.greeting, times: $.greeting.Payload.count };
        })
        .succeed('Done');
    });
  });

  it('replaces the state with the result by default, and keeps it with resultPath null', () => {
    flow((start) =>
      start
        .lambdaStep('Greet', greet, ($) => ({ name: $.person.name, times: 1 }))
        // The state is now the job output: `person` is gone.
        // @ts-expect-error `person` was replaced by the result
        .lambdaStep('Again', greet, ($) => ({ name: $.person.name, times: $.Payload.count }))
        .succeed('Done'),
    );
    flow((start) =>
      start
        .lambdaStep('Greet', greet, ($) => ({ name: $.person.name, times: 1 }), { resultPath: null })
        .lambdaStep('Again', greet, ($) => ({ name: $.person.name, times: $.person.age }))
        .succeed('Done'),
    );
  });

  it('types Retry and Catch error names: States.*, the integration, and the job', () => {
    const failed = fragment<Input & { failure: { Error: string; Cause: string } }>().fail('Failed', {
      error: 'X',
    });
    flow((start) =>
      start
        .lambdaStep('Greet', greet, ($) => ({ name: $.person.name, times: 1 }), { resultPath: null })
        .retry(retryPresets.lambdaServiceErrors(), { errors: ['Grumpy'], maxAttempts: 1 })
        .catch(['States.Timeout', 'Grumpy'], { resultPath: '$.failure', next: failed })
        .succeed('Done'),
    );
    flow((start) =>
      start
        .lambdaStep('Greet', greet, ($) => ({ name: $.person.name, times: 1 }), { resultPath: null })
        // @ts-expect-error `Sleepy` is neither a States error, a Lambda error nor one the job declares
        .retry({ errors: ['Sleepy'] })
        .succeed('Done'),
    );
    expect(() =>
      flow((start) =>
        start
          .pass('Nothing', { result: 1, resultPath: null })
          // @ts-expect-error a Pass state takes no Retry
          .retry(retryPresets.lambdaServiceErrors())
          .succeed('Done'),
      ),
    ).to.throw("State 'Nothing': Retry applies to Task, Parallel and Map states, not pass");
  });

  it('checks that a Catch handler accepts the state with the error placed', () => {
    const needsFailure = fragment<{
      failure: { Error: string; Cause: string };
      person: { name: string };
    }>().fail('Failed', { error: 'X' });
    const needsOther = fragment<{ somethingElse: string }>().fail('Failed2', { error: 'X' });
    flow((start) =>
      start
        .lambdaStep('Greet', greet, ($) => ({ name: $.person.name, times: 1 }), { resultPath: null })
        .catch(['States.ALL'], { resultPath: '$.failure', next: needsFailure })
        .succeed('Done'),
    );
    flow((start) =>
      start
        .lambdaStep('Greet', greet, ($) => ({ name: $.person.name, times: 1 }), { resultPath: null })
        // @ts-expect-error the handler needs `somethingElse`, which the state does not have
        .catch(['States.ALL'], { resultPath: '$.failure', next: needsOther })
        .succeed('Done'),
    );
  });

  it('checks the input of a started workflow against its input schema', () => {
    const child = defineWorkflow({
      name: 'child',
      description: 'child',
      input: z.object({ who: z.string() }),
      definition: (start) => start.succeed('ChildDone'),
    });
    flow((start) => start.startWorkflowStep('Start', child, ($) => ({ who: $.person.name })).succeed('Done'));
    flow((start) =>
      start
        // @ts-expect-error `who` is a string, `age` a number
        .startWorkflowStep('Start', child, ($) => ({ who: $.person.age }))
        .succeed('Done'),
    );
  });

  it('types the context object', () => {
    expectTypeOf(contextRefs.execution.id).toEqualTypeOf<Ref<string>>();
    expectTypeOf(contextRefs.state.retryCount).toEqualTypeOf<Ref<number>>();
  });
});
