import { expect } from 'chai';
import { z } from 'zod';
import { checkWithAslValidator } from '../../dsl/asl-schema-check.ts';
import { placeholderBindings } from '../../dsl/bindings.ts';
import {
  compileValidWorkflow,
  compileWorkflow,
  conditions,
  defineJob,
  defineWorkflow,
  fragment,
  RULES,
  type ValidationIssue,
  validateDefinition,
  WorkflowValidationError,
} from '../../dsl/index.ts';

/** Code and path of each issue, in report order: what the rules promise to be stable. */
function located(issues: readonly ValidationIssue[]): { code: string; path: string }[] {
  return issues.map(({ code, path }) => ({ code, path }));
}

import { type Definition, ruleCases, task } from './validation-rules.ts';

/** A lambda job for workflows built with the DSL below. */
const touch = defineJob({
  name: 'touch',
  description: 'Touches a record',
  input: z.object({ id: z.string() }),
  output: z.object({ touched: z.boolean() }),
  runsOn: ['lambda'],
  module: 'test/dsl/touch.ts',
});

const Input = z.object({ id: z.string() });

describe('workflow validation', () => {
  describe('every structural rule', () => {
    it('has a failing and a passing case here', () => {
      expect(ruleCases.map((c) => c.rule).sort()).to.deep.equal(Object.keys(RULES).sort());
    });

    for (const { rule, failing, issues, passing } of ruleCases) {
      describe(rule, () => {
        it('reports the rule with the path of the offending state or field', () => {
          // WHEN
          const found = validateDefinition(failing);
          // THEN
          expect(located(found)).to.deep.equal(issues);
          for (const issue of found) expect(issue.message, issue.path).to.be.a('string').and.not.empty;
        });

        it('accepts the corrected definition', () => {
          // WHEN
          const found = validateDefinition(passing);
          // THEN
          expect(found).to.deep.equal([]);
        });
      });
    }
  });

  describe('NEXT_TARGET_MISSING on each kind of transition', () => {
    it('reports a missing Next, a missing Choice rule target and a missing Default', () => {
      // GIVEN
      const definition: Definition = {
        StartAt: 'C',
        States: {
          C: {
            Type: 'Choice',
            Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'Gone' }],
            Default: 'A',
          },
          A: { Type: 'Pass', Next: 'Lost' },
        },
      };
      // WHEN
      const found = validateDefinition(definition);
      // THEN
      expect(located(found)).to.deep.equal([
        { code: 'NEXT_TARGET_MISSING', path: 'States.C.Choices[0].Next' },
        { code: 'NEXT_TARGET_MISSING', path: 'States.A.Next' },
        { code: 'NO_TERMINAL_STATE', path: 'States' },
      ]);
    });
  });

  describe('NEXT_OR_END when a state has neither', () => {
    it('reports the state', () => {
      // GIVEN
      const definition: Definition = {
        StartAt: 'A',
        States: {
          A: task({ Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handle' }] }),
          Handle: { Type: 'Fail', Error: 'Failed' },
        },
      };
      // WHEN / THEN
      expect(located(validateDefinition(definition))).to.deep.equal([
        { code: 'NEXT_OR_END', path: 'States.A' },
      ]);
    });
  });

  describe('nested scopes', () => {
    it('names states inside a Parallel branch by their branch', () => {
      // GIVEN
      const definition: Definition = {
        StartAt: 'P',
        States: {
          P: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'W', States: { W: { Type: 'Pass', End: true } } },
              { StartAt: 'X', States: { X: { Type: 'Pass', End: true }, Z: { Type: 'Succeed' } } },
            ],
            End: true,
          },
        },
      };
      // WHEN / THEN
      expect(located(validateDefinition(definition))).to.deep.equal([
        { code: 'UNREACHABLE_STATE', path: 'States.P.Branches[1].States.Z' },
      ]);
    });

    it('names states inside a Map item processor, and its own StartAt and terminal checks', () => {
      // GIVEN
      const definition: Definition = {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemProcessor: {
              StartAt: 'Y',
              States: { Y: { Type: 'Pass', Next: 'Y', TimeoutSeconds: -3 } },
            },
            End: true,
          },
        },
      };
      // WHEN / THEN
      expect(located(validateDefinition(definition))).to.deep.equal([
        { code: 'TIMEOUT_OUT_OF_RANGE', path: 'States.M.ItemProcessor.States.Y.TimeoutSeconds' },
        { code: 'NO_TERMINAL_STATE', path: 'States.M.ItemProcessor.States' },
      ]);
    });

    it('rejects a Next from a map iteration to a top-level state as out of scope', () => {
      // GIVEN
      const definition: Definition = {
        StartAt: 'M',
        States: {
          M: {
            Type: 'Map',
            ItemProcessor: { StartAt: 'Y', States: { Y: { Type: 'Pass', Next: 'After' } } },
            Next: 'After',
          },
          After: { Type: 'Succeed' },
        },
      };
      // WHEN / THEN
      expect(located(validateDefinition(definition))).to.deep.equal([
        { code: 'CATCH_TARGET_OUT_OF_SCOPE', path: 'States.M.ItemProcessor.States.Y.Next' },
        { code: 'NO_TERMINAL_STATE', path: 'States.M.ItemProcessor.States' },
      ]);
    });
  });

  describe('all issues together', () => {
    it('reports three different problems of one definition at once', () => {
      // GIVEN a Choice without rules, a catch target that does not exist and a zero timeout
      const definition: Definition = {
        StartAt: 'C',
        States: {
          C: { Type: 'Choice', Choices: [], Default: 'A' },
          A: task({
            Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Missing' }],
            TimeoutSeconds: 0,
            End: true,
          }),
        },
      };
      // WHEN
      const found = validateDefinition(definition);
      // THEN
      expect(located(found)).to.deep.equal([
        { code: 'CHOICE_WITHOUT_RULES', path: 'States.C' },
        { code: 'NEXT_TARGET_MISSING', path: 'States.A.Catch[0].Next' },
        { code: 'TIMEOUT_OUT_OF_RANGE', path: 'States.A.TimeoutSeconds' },
      ]);
    });
  });

  describe('STATE_NAME_DUPLICATE (found while compiling a DSL workflow)', () => {
    it('reports a catch fragment that reuses a name of the main chain', () => {
      // GIVEN
      const handler = fragment<{ id: string; error: unknown }>().succeed('Touch');
      const workflow = defineWorkflow({
        name: 'duplicate-names',
        description: 'A catch handler named like a step',
        input: Input,
        definition: (start) =>
          start
            .pass('Touch', { result: { ok: true }, resultPath: '$.touched' })
            .lambdaStep('Work', touch, ($) => ({ id: $.id }), { resultPath: null })
            .catch(['States.ALL'], { resultPath: '$.error', next: handler })
            .succeed('Done'),
      });
      // WHEN
      const { issues } = compileWorkflow(workflow, placeholderBindings());
      // THEN the duplicate comes first; what follows are consequences of the clash, not other problems
      expect(located(issues)[0]).to.deep.equal({ code: 'STATE_NAME_DUPLICATE', path: 'States.Touch' });
      expect(issues.filter((i) => i.code === 'STATE_NAME_DUPLICATE')).to.have.length(1);
      expect(issues[0]?.message).to.include("Two different states of this scope are named 'Touch'");
    });

    it('reports a name used in a Parallel branch and again in the main chain, with both places', () => {
      // GIVEN
      const workflow = defineWorkflow({
        name: 'duplicate-across-scopes',
        description: 'A branch state named like a later step',
        input: Input,
        definition: (start) =>
          start
            .parallel('Fan', [(b) => b.pass('Same', { result: 1 })], { resultPath: null })
            .pass('Same', { result: 2 })
            .succeed('Done'),
      });
      // WHEN
      const { issues } = compileWorkflow(workflow, placeholderBindings());
      // THEN asl-validator finds the clash independently
      expect(issues.map((i) => i.code)).to.deep.equal(['STATE_NAME_DUPLICATE', 'ASL_SCHEMA']);
      expect(located(issues)[0]).to.deep.equal({ code: 'STATE_NAME_DUPLICATE', path: 'States.Same' });
      expect(issues[0]?.message).to.include('also at States.Fan.Branches[0].States.Same');
      expect(issues[1]?.message).to.include('DUPLICATE_STATE_NAMES');
    });
    it('accepts one fragment shared by two Choice branches (rendered once)', () => {
      // GIVEN
      const shared = fragment<{ id: string }>().succeed('Shared');
      const workflow = defineWorkflow({
        name: 'shared-branch',
        description: 'Two branches, one ending',
        input: Input,
        definition: (start) =>
          start.choice('Route', ($) => [
            { condition: conditions.eq($.id, 'a'), steps: () => shared },
            { condition: conditions.eq($.id, 'b'), steps: () => shared },
          ]),
      });
      // WHEN / THEN
      expect(compileWorkflow(workflow, placeholderBindings()).issues).to.deep.equal([]);
    });

    it('accepts distinct names in a branch and in the main chain', () => {
      // GIVEN
      const workflow = defineWorkflow({
        name: 'distinct-names',
        description: 'Every name once',
        input: Input,
        definition: (start) =>
          start
            .parallel('Fan', [(b) => b.pass('InBranch', { result: 1 })], { resultPath: null })
            .pass('InMain', { result: 2 })
            .succeed('Done'),
      });
      // WHEN / THEN
      expect(compileWorkflow(workflow, placeholderBindings()).issues).to.deep.equal([]);
    });
  });

  describe('ASL_SCHEMA (asl-validator, an independent check)', () => {
    const invalidType = { StartAt: 'A', States: { A: { Type: 'Bogus', End: true } } };

    it('reports a state of an unknown Type with code ASL_SCHEMA, naming the field', () => {
      // WHEN
      const found = checkWithAslValidator(invalidType);
      // THEN
      expect(found.length).to.be.greaterThan(0);
      expect(found.map((i) => i.code)).to.deep.equal(found.map(() => 'ASL_SCHEMA'));
      expect(found[0]?.message).to.include('/States/A/Type');
    });
    it('gives the ASL_SCHEMA issue the state path of the offending field', () => {
      // WHEN
      const found = checkWithAslValidator(invalidType);
      // THEN
      expect(found[0]).to.deep.include({ code: 'ASL_SCHEMA', path: 'States.A.Type' });
    });

    it('accepts a valid definition', () => {
      expect(
        checkWithAslValidator({ StartAt: 'A', States: { A: { Type: 'Pass', End: true } } }),
      ).to.deep.equal([]);
    });

    it('runs inside compileWorkflow: a Wait with both seconds and a timestamp is reported', () => {
      // GIVEN a Wait the types forbid, forced through
      const workflow = defineWorkflow({
        name: 'wait-twice',
        description: 'An impossible Wait',
        input: Input,
        definition: (start) =>
          start.wait('Pause', { seconds: 5, timestamp: '2030-01-01T00:00:00Z' } as never).succeed('Done'),
      });
      // WHEN
      const { issues } = compileWorkflow(workflow, placeholderBindings());
      // THEN
      expect(issues.map((i) => i.code)).to.deep.equal(['ASL_SCHEMA']);
      expect(issues[0]?.message).to.include('Pause').and.include('exactly one of');
    });
  });

  describe('compileValidWorkflow', () => {
    it('throws a WorkflowValidationError that lists every issue with its code and path', () => {
      // GIVEN a duplicate name and a name longer than 80 characters
      const longName = 'L'.repeat(81);
      const workflow = defineWorkflow({
        name: 'two-problems',
        description: 'Two problems at once',
        input: Input,
        definition: (start) =>
          start
            .parallel('Fan', [(b) => b.pass('Same', { result: 1 })], { resultPath: null })
            .pass('Same', { result: 2 })
            .pass(longName, { result: 3 })
            .succeed('Done'),
      });
      // WHEN
      let thrown: unknown;
      try {
        compileValidWorkflow(workflow, placeholderBindings());
      } catch (error) {
        thrown = error;
      }
      // THEN
      expect(thrown).to.be.instanceOf(WorkflowValidationError);
      const error = thrown as WorkflowValidationError;
      expect(error.workflow).to.equal('two-problems');
      const expected = [
        { code: 'STATE_NAME_DUPLICATE', path: 'States.Same' },
        { code: 'STATE_NAME_TOO_LONG', path: `States.${longName}` },
      ];
      expect(located(error.issues).filter((i) => i.code !== 'ASL_SCHEMA')).to.deep.equal(expected);
      expect(error.message).to.include("Workflow 'two-problems'");
      for (const { code, path } of expected) expect(error.message).to.include(`${code} at ${path}:`);
    });

    it('returns the compiled workflow when there is no issue', () => {
      // GIVEN
      const workflow = defineWorkflow({
        name: 'fine',
        description: 'Valid',
        input: Input,
        definition: (start) => start.lambdaStep('Work', touch, ($) => ({ id: $.id })).succeed('Done'),
      });
      // WHEN
      const compiled = compileValidWorkflow(workflow, placeholderBindings());
      // THEN
      expect(compiled.issues).to.deep.equal([]);
      expect(compiled.definition.StartAt).to.equal('Work');
    });
  });
});
