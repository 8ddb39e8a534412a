import { expect } from 'chai';

import { type CaughtError, chainNode, fragment, intrinsics, retryPresets } from '../../dsl/index.ts';
import { compile, crunch, greet, type Input, type Start } from './builder-fixtures.ts';

describe('the workflow builder', () => {
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
        'Lambda.TooManyRequestsException',
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
