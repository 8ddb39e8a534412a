import type { z } from 'zod';
import type { ChainNode } from './graph.ts';
import type { AnyJob, Executor } from './job.ts';

/** The scope of a workflow's top level. */
export type RootScope = 'w';

/** One job a workflow runs, with the executor it runs on and whether a step hands it a task token. */
export interface WorkflowStep {
  readonly job: AnyJob;
  readonly executor: Executor;
  /** A step waits for this job's callback (`.waitForTaskToken`): its role needs `states:SendTask*`. */
  readonly callback: boolean;
}

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
  readonly steps: readonly WorkflowStep[];
  /** The workflows its steps start (`startWorkflowStep`). */
  readonly started: readonly Workflow<unknown>[];
}

/** Any workflow. */
// biome-ignore lint/suspicious/noExplicitAny: heterogeneous workflow lists
export type AnyWorkflow = Workflow<any>;

/** The input type of a workflow. */
export type WorkflowInputOf<W> = W extends Workflow<infer I> ? I : never;
