import { expect } from 'chai';

import { conditions, fragment, s3CsvItems } from '../../dsl/index.ts';
import { compile, GREET_ARN, greet, greetTask } from './builder-fixtures.ts';

describe('the workflow builder: states', () => {
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
});
