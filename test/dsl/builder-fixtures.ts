/** What the builder's tests share: two jobs, one input, and a compile helper that insists on no issues. */
import { expect } from 'chai';
import { z } from 'zod';

import { type AnyChain, type Chain, defineJob, defineWorkflow } from '../../dsl/index.ts';
import type { RootScope } from '../../dsl/workflow.ts';
import { render } from './render.ts';

/** A Lambda-only job with a declared error. */
export const greet = defineJob({
  name: 'greet',
  description: 'Greets someone a number of times',
  input: z.object({ name: z.string(), times: z.number() }),
  output: z.object({ message: z.string() }),
  runsOn: ['lambda'],
  module: 'test/dsl/greet.ts',
  errors: ['GreetingRefused'],
});

/** A Fargate-only job with text, numeric, enum and optional fields. */
export const crunch = defineJob({
  name: 'crunch',
  description: 'Crunches a dataset in batches',
  input: z.object({
    datasetId: z.string(),
    batchSize: z.number().int(),
    mode: z.enum(['fast', 'thorough']),
    label: z.string().optional(),
    limit: z.number().optional(),
  }),
  output: z.object({}),
  runsOn: ['fargate'],
  module: 'test/dsl/crunch.ts',
});

/** The input of the builder's test workflows. */
export const Input = z.object({
  name: z.string(),
  times: z.number(),
  flag: z.boolean(),
  maybe: z.string().optional(),
  delaySeconds: z.number(),
  when: z.string(),
  datasetId: z.string(),
  items: z.array(z.object({ id: z.string(), size: z.number() })),
  bucket: z.string(),
  key: z.string(),
});
export type Input = z.input<typeof Input>;
/** The chain a test definition starts with. */
export type Start = Chain<Input, Input, RootScope>;

/** The placeholder ARN of the greet function. */
export const GREET_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:audience-io-greet';

/** A workflow over `Input` whose definition is the given chain. */
export function workflowOf(definition: (start: Start) => AnyChain<RootScope>) {
  return defineWorkflow({ name: 'builder-test', description: 'Builder test', input: Input, definition });
}

/** Compiles with the placeholder bindings; every workflow here must also be valid (asl-validator included). */
export function compile(definition: (start: Start) => AnyChain<RootScope>) {
  const compiled = render(workflowOf(definition));
  expect(compiled.issues).to.deep.equal([]);
  return compiled.definition;
}

/** What `lambdaStep('…', greet, …)` renders to, before its flow fields. */
export function greetTask(payload: Record<string, unknown>) {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: GREET_ARN, Payload: payload },
    ResultSelector: { 'Payload.$': '$.Payload' },
  };
}
