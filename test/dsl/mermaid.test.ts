import { expect } from 'chai';
import { z } from 'zod';
import { type AnyWorkflow, conditions, defineWorkflow, retryPresets, toMermaid } from '../../dsl/index.ts';
import { allWorkflows, importAudienceWorkflow } from '../../workflows/index.ts';
import { RawText } from '../support/raw-text.ts';
import { render } from './render.ts';
import { touch } from './test-jobs.ts';

/** A workflow with a Choice, a Parallel and a Map, each a different drawing. */
const shapes = defineWorkflow({
  name: 'shapes',
  description: 'Choice, parallel and map',
  input: z.object({ id: z.string(), ids: z.array(z.string()), fast: z.boolean() }),
  definition: (start) =>
    start
      .choice(
        'Route',
        ($) => [{ condition: conditions.eq($.fast, true), steps: (b) => b.succeed('Shortcut') }],
        (b) => b.pass('Slow', { result: 'slow', resultPath: '$.speed' }),
      )
      .parallel(
        'Fan',
        [
          (b) => b.lambdaStep('TouchLeft', touch, ($) => ({ id: $.id }), { resultPath: null }),
          (b) => b.lambdaStep('TouchRight', touch, ($) => ({ id: $.id }), { resultPath: null }),
        ],
        { resultPath: null },
      )
      .map(
        'EachId',
        ($) => $.ids,
        { resultPath: null },
        (each) =>
          each
            .lambdaStep('TouchOne', touch, ($) => ({ id: $ }), { resultPath: null })
            .retry(retryPresets.lambdaServiceErrors()),
      )
      .succeed('Done'),
});

/** The Mermaid text of a compiled workflow, titled with its name. */
function diagram(workflow: AnyWorkflow): string {
  return toMermaid(render(workflow).definition, workflow.name);
}

describe('Mermaid diagrams', () => {
  for (const workflow of allWorkflows) {
    it(`draws ${workflow.name} as the reviewed flowchart`, () => {
      expect(new RawText(diagram(workflow))).toMatchSnapshot();
    });
  }

  it('shows retries on the state and catches as dotted edges labelled with the errors', () => {
    // WHEN
    const text = diagram(importAudienceWorkflow);
    // THEN
    expect(text).to.include('retry Lambda.ServiceException +4 ×6');
    expect(text).to.include('retry ECS.AmazonECSException ×5');
    expect(text).to.match(/s\d+ -\.->\|catch States\.ALL\| s\d+/);
  });

  it('draws a Choice as a rhombus with labelled rules and an otherwise edge', () => {
    // WHEN
    const text = diagram(shapes);
    // THEN
    expect(text).to.match(/s\d+\{"Route<br\/><small>Choice<\/small>"\}/);
    expect(text).to.match(/s\d+ -->\|\$\.fast BooleanEquals true\| s\d+/);
    expect(text).to.match(/s\d+ -->\|otherwise\| s\d+/);
  });

  it('draws Parallel branches and a Map iteration as subgraphs holding their states', () => {
    // WHEN
    const text = diagram(shapes);
    // THEN
    expect(text).to.match(/subgraph s\d+_0\["Fan: branch 1"\]/);
    expect(text).to.match(/subgraph s\d+_1\["Fan: branch 2"\]/);
    expect(text).to.match(/subgraph s\d+_0\["EachId: each item"\]/);
    expect(text).to.include('Map (INLINE)');
    const mapBlock = text.slice(text.indexOf('EachId: each item'));
    expect(mapBlock.slice(0, mapBlock.indexOf('\n  end'))).to.include('TouchOne<br/><small>Lambda</small>');
  });

  it('escapes quotes and pipes in state names, so they cannot end a label early', () => {
    // GIVEN
    const definition = {
      StartAt: 'Say "hi" | bye',
      States: {
        'Say "hi" | bye': { Type: 'Pass', Next: 'Done|"' },
        'Done|"': { Type: 'Succeed' },
      },
    };
    // WHEN
    const text = toMermaid(definition);
    // THEN
    expect(text).to.include('Say #quot;hi#quot; #124; bye<br/>');
    expect(text).to.include('Done#124;#quot;<br/>');
    expect(text).not.to.include('"hi"');
    expect(text).not.to.include('| bye');
  });
  it('gives a state named like the start or end circle a node of its own', () => {
    // GIVEN
    const definition = { StartAt: '__start', States: { __start: { Type: 'Pass', End: true } } };
    // WHEN
    const text = toMermaid(definition);
    // THEN
    expect(text).not.to.match(/^\s*(s\d+) --> \1$/m);
  });
});
