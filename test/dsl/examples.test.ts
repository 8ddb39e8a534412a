import { expect } from 'chai';
import { toMermaid } from '../../dsl/index.ts';
import { jsonText, RawText } from '../support/raw-text.ts';
import { exampleWorkflows } from './examples/index.ts';
import { render } from './render.ts';

/**
 * The workflows CDK can write and the DSL could not before: a polling loop, callbacks with heartbeats, a
 * distributed map over S3 with ItemBatcher and ResultWriter, a Parallel with Retry/Catch and a result selector,
 * an SNS notification on failure, a sharded fan-out. Each compiles clean (asl-validator included) to reviewed
 * ASL, IAM and a diagram; `test/local/examples*.test.ts` runs them.
 */
describe('example workflows', () => {
  for (const workflow of exampleWorkflows) {
    describe(workflow.name, () => {
      const compiled = render(workflow);

      it('compiles without validation issues, asl-validator included', () => {
        expect(compiled.issues).to.deep.equal([]);
      });

      it('compiles to the reviewed ASL', () => {
        expect(jsonText(compiled.definition)).toMatchSnapshot();
      });

      it('derives the reviewed IAM statements', () => {
        expect(jsonText(compiled.permissions)).toMatchSnapshot();
      });

      it('draws the reviewed diagram', () => {
        expect(new RawText(toMermaid(compiled.definition, workflow.name))).toMatchSnapshot();
      });
    });
  }
});
