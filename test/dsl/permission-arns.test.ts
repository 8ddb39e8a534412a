import { expect } from 'chai';
import { z } from 'zod';
import { defineWorkflow, placeholderBindings, s3CsvItems, workflowPermissions } from '../../dsl/index.ts';
import { touch } from './test-jobs.ts';

const Input = z.object({ bucket: z.string(), key: z.string() });

/** A workflow whose distributed map reads a fixed object, or one named by the input, and touches each row. */
function mapOver(object: 'fixed' | 'from input') {
  return defineWorkflow({
    name: 'rows',
    description: 'A distributed map over the rows of a CSV object',
    input: Input,
    definition: (start) =>
      start
        .distributedMap(
          'EachRow',
          ($) =>
            s3CsvItems<{ id: string }>({
              bucket: object === 'fixed' ? 'audience-bucket' : $.bucket,
              key: object === 'fixed' ? 'plans/rows.csv' : $.key,
            }),
          { itemSelector: (_$, ctx) => ({ id: ctx.map.item.value.id }), label: 'rows', resultPath: null },
          (each) => each.lambdaStep('Touch', touch, ($) => ({ id: $.id }), { resultPath: null }),
        )
        .succeed('Done'),
  });
}

/** Placeholder bindings whose state machine ARNs are in another partition (AWS China). */
function chinaBindings() {
  const base = placeholderBindings({ region: 'cn-north-1' });
  return {
    ...base,
    lambda: (job: Parameters<typeof base.lambda>[0]) => ({
      functionArn: String(base.lambda(job).functionArn).replace('arn:aws:', 'arn:aws-cn:'),
    }),
    stateMachineArn: (name: string) => String(base.stateMachineArn(name)).replace('arn:aws:', 'arn:aws-cn:'),
  };
}

describe('DSL permissions: ARNs of distributed maps', () => {
  it("a map run's child executions are execution:<machine>/<label>:<id>, granted as execution:<machine>/*", () => {
    // GIVEN
    const workflow = mapOver('fixed');
    // WHEN
    const permissions = workflowPermissions(workflow.root, placeholderBindings(), workflow.name);
    // THEN
    const executions = permissions.find((s) => s.Action.includes('states:DescribeExecution'));
    expect(executions).to.deep.equal({
      Effect: 'Allow',
      Action: ['states:DescribeExecution', 'states:StopExecution'],
      Resource: ['arn:aws:states:us-east-1:123456789012:execution:audience-io-rows/*'],
    });
    const childArn = 'arn:aws:states:us-east-1:123456789012:execution:audience-io-rows/rows:0f1e2d3c';
    const pattern = new RegExp(
      `^${String(executions?.Resource[0]).replace(/[.*]/g, (c) => (c === '*' ? '.*' : '\\.'))}$`,
    );
    expect(pattern.test(childArn)).to.equal(true);
  });

  it("the item reader's object ARN is in the state machine's partition, not always arn:aws", () => {
    // GIVEN
    const workflow = mapOver('fixed');
    // WHEN
    const permissions = workflowPermissions(workflow.root, chinaBindings(), workflow.name);
    // THEN
    expect(permissions.find((s) => s.Action.includes('s3:GetObject'))?.Resource).to.deep.equal([
      'arn:aws-cn:s3:::audience-bucket/plans/rows.csv',
    ]);
  });

  it('an item reader whose bucket is only known at run time is granted on any object, still in the partition', () => {
    const workflow = mapOver('from input');
    const permissions = workflowPermissions(workflow.root, chinaBindings(), workflow.name);
    expect(permissions.find((s) => s.Action.includes('s3:GetObject'))?.Resource).to.deep.equal([
      'arn:aws-cn:s3:::*/*',
    ]);
  });
});
