import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { z } from 'zod';
import { conditions, defineWorkflow, intrinsics } from '../../dsl/index.ts';
import { type LocalRunOptions, runWorkflowLocally } from '../../local/runner/execution.ts';
import { ExecutionAlreadyExistsError } from '../../local/runner/execution-names.ts';
import { render } from '../dsl/render.ts';

/**
 * Where aws-local-stepfunctions 3.0.0 differs from AWS, and what the DSL or the runner does about it: each test
 * runs on the interpreter and states what AWS does.
 */
function options(extra: Partial<LocalRunOptions> = {}): LocalRunOptions {
  return { executionsDir: mkdtempSync(join(tmpdir(), 'runner-fidelity-')), ...extra };
}

const Maybe = z.object({ maybe: z.string().nullable().optional() });

/** Routes on the absence of `maybe`, and on it being not null. */
const absence = defineWorkflow({
  name: 'absence',
  description: 'IsPresent: false and IsNull: false',
  input: Maybe,
  definition: (start) =>
    start
      .choice('Absent', ($) => [
        { condition: conditions.isPresent($.maybe, false), steps: (b) => b.succeed('WasAbsent') },
      ])
      .choice(
        'NotNull',
        ($) => [{ condition: conditions.isNull($.maybe, false), steps: (b) => b.succeed('WasSet') }],
        (otherwise) => otherwise.succeed('WasNull'),
      ),
});

/** The error a promise rejects with (it must reject). */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error as Error,
  );
}

/** The last state of a run. */
async function endOf(workflow: Parameters<typeof runWorkflowLocally>[0], input: unknown): Promise<string> {
  const execution = await runWorkflowLocally(workflow, input, options());
  expect(execution.status, execution.cause).to.equal('SUCCEEDED');
  return execution.history.at(-1)!.state;
}

describe('local runner: fidelity to AWS where the interpreter differs', function () {
  this.timeout(60_000);

  it('IsPresent: false and IsNull: false compile as Not of the true form, which the interpreter evaluates', async () => {
    // GIVEN the compiled rules
    const { States } = render(absence).definition;
    expect((States.Absent as unknown as { Choices: unknown[] }).Choices[0]).to.deep.include({
      Not: { Variable: '$.maybe', IsPresent: true },
    });
    // WHEN / THEN each input takes the branch AWS takes
    expect(await endOf(absence, {})).to.equal('WasAbsent');
    expect(await endOf(absence, { maybe: 'x' })).to.equal('WasSet');
    expect(await endOf(absence, { maybe: null })).to.equal('WasNull');
  });

  it('gives $$.State.Name the name of the state, in a payload and in an intrinsic', async () => {
    const named = defineWorkflow({
      name: 'state-name',
      description: '$$.State.Name',
      input: z.object({}),
      definition: (start) =>
        start
          .pass('WhoAmI', {
            parameters: (_$, ctx) => ({
              me: ctx.state.name,
              greeting: intrinsics.format('I am {}', ctx.state.name),
            }),
          })
          .succeed('Done'),
    });
    const execution = await runWorkflowLocally(named, {}, options());
    expect(execution.status, execution.cause).to.equal('SUCCEEDED');
    expect(execution.output).to.deep.equal({ me: 'WhoAmI', greeting: 'I am WhoAmI' });
  });

  it('fails with States.NoChoiceMatched when no rule matches a Choice without Default', async () => {
    const choosy = defineWorkflow({
      name: 'no-choice',
      description: 'A Choice that ends its scope, without otherwise',
      input: z.object({ n: z.number() }),
      definition: (start) =>
        start.choice('Route', ($) => [{ condition: conditions.eq($.n, 1), steps: (b) => b.succeed('One') }]),
    });
    expect(render(choosy).definition.States.Route).not.to.have.property('Default');
    const execution = await runWorkflowLocally(choosy, { n: 2 }, options());
    expect(execution).to.include({ status: 'FAILED', error: 'States.NoChoiceMatched', failedState: 'Route' });
  });

  describe('StartExecution under a name already used', () => {
    const Input = z.object({ id: z.string() });
    const slow = defineWorkflow({
      name: 'slow-child',
      description: 'Takes a second',
      input: Input,
      definition: (start) => start.wait('Pause', { seconds: 1 }).succeed('Done'),
    });

    it('gives back the running execution for the same input, and refuses another input or a closed one', async () => {
      // GIVEN an execution running under a name
      const run = options();
      const joined: string[] = [];
      const first = runWorkflowLocally(slow, { id: 'a' }, { ...run, name: 'job-1' });
      // WHEN the same name is started again with the same input, and with another
      const again = runWorkflowLocally(
        slow,
        { id: 'a' },
        {
          ...run,
          name: 'job-1',
          onEvent: (event) => event.type === 'execution-joined' && joined.push(event.arn),
        },
      );
      const other = runWorkflowLocally(slow, { id: 'b' }, { ...run, name: 'job-1' });
      // THEN the same input joins the running execution (an idempotent start); another input is refused
      expect(await rejection(other))
        .to.be.instanceOf(ExecutionAlreadyExistsError)
        .and.match(/different input/);
      const [one, two] = await Promise.all([first, again]);
      expect(two).to.equal(one);
      expect(joined).to.deep.equal([one.arn]);
      // AND once closed, the name is refused even for the same input
      const closed = await rejection(runWorkflowLocally(slow, { id: 'a' }, { ...run, name: 'job-1' }));
      expect(closed)
        .to.be.instanceOf(ExecutionAlreadyExistsError)
        .and.match(/SUCCEEDED/);
    });

    it('answers a startExecution state with the running execution for the same name and input', async () => {
      const parent = defineWorkflow({
        name: 'twice-started',
        description: 'Starts one child twice at once',
        input: Input,
        definition: (start) =>
          start
            .parallel(
              'StartTwice',
              [
                (b) =>
                  b.startWorkflowStep('StartA', slow, ($) => ({ id: $.id }), { executionName: 'child-1' }),
                (b) =>
                  b.startWorkflowStep('StartB', slow, ($) => ({ id: $.id }), { executionName: 'child-1' }),
              ],
              { resultPath: '$.started' },
            )
            .succeed('Done'),
      });
      const execution = await runWorkflowLocally(parent, { id: 'x' }, options());
      expect(execution.status, execution.cause).to.equal('SUCCEEDED');
      const [a, b] = (execution.output as { started: { ExecutionArn: string }[] }).started;
      expect(a?.ExecutionArn)
        .to.equal(b?.ExecutionArn)
        .and.match(/:execution:audience-io-slow-child:child-1$/);
    });
  });
});
