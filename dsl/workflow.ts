import type { z } from 'zod';
import { type AnyChain, type Chain, chainNode, startChain } from './builder.ts';
import { type ChainNode, forEachChain } from './graph.ts';
import type { AnyJob, Executor } from './job.ts';

/** The scope of a workflow's top level. */
export type RootScope = 'w';

/** A workflow: a name, a typed input and the graph of its states. */
export interface Workflow<Input = unknown> {
  readonly kind: 'workflow';
  /** Kebab-case name; the state machine is named after it. */
  readonly name: string;
  readonly description: string;
  /** Schema of the execution input. */
  readonly input: z.ZodType<unknown, Input>;
  /** Fails the execution after this many seconds. */
  readonly timeoutSeconds?: number;
  readonly root: ChainNode;
  /** Every job a step of the workflow runs, with the executor it runs on. */
  readonly steps: readonly { readonly job: AnyJob; readonly executor: Executor }[];
}

/** Any workflow. */
// biome-ignore lint/suspicious/noExplicitAny: heterogeneous workflow lists
export type AnyWorkflow = Workflow<any>;

const WORKFLOW_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * Declares a workflow. `definition` receives the start of the chain, typed by the input schema, and returns
 * the built chain; references to the input are checked against the schema.
 */
export function defineWorkflow<Schema extends z.ZodType>(spec: {
  name: string;
  description: string;
  input: Schema;
  timeoutSeconds?: number;
  definition: (start: Chain<z.input<Schema>, z.input<Schema>, RootScope>) => AnyChain<RootScope>;
}): Workflow<z.input<Schema>> {
  if (!WORKFLOW_NAME.test(spec.name)) {
    throw new Error(`Workflow '${spec.name}': name must be kebab-case, 1-64 characters (${WORKFLOW_NAME})`);
  }
  const root = chainNode(spec.definition(startChain<z.input<Schema>, RootScope>()));
  if (root.states.length === 0) throw new Error(`Workflow '${spec.name}': the definition has no states`);
  return Object.freeze({
    kind: 'workflow',
    name: spec.name,
    description: spec.description,
    input: spec.input as unknown as z.ZodType<unknown, z.input<Schema>>,
    timeoutSeconds: spec.timeoutSeconds,
    root,
    steps: workflowSteps(root),
  });
}

function workflowSteps(root: ChainNode): Workflow['steps'] {
  const steps = new Map<string, { job: AnyJob; executor: Executor }>();
  forEachChain(root, (chain) => {
    for (const state of chain.states) {
      if (state.kind === 'lambdaTask')
        steps.set(`${state.job.name}/lambda`, { job: state.job, executor: 'lambda' });
      if (state.kind === 'fargateTask')
        steps.set(`${state.job.name}/fargate`, { job: state.job, executor: 'fargate' });
    }
  });
  return [...steps.values()];
}
