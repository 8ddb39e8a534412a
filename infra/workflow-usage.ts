import { placeholderBindings, type ResourceBindings } from '../dsl/bindings.ts';
import type { AnyJob, Executor } from '../dsl/job.ts';
import type { ValidationIssue } from '../dsl/validation-issue.ts';
import { type BindingRequest, recordingBindings } from './bindings.ts';
import type { StateMachineSource } from './workflow-state-machine.ts';

/** A workflow compiled against some bindings, with the problems found while compiling. */
export interface CompiledSource extends StateMachineSource {
  readonly issues: readonly ValidationIssue[];
}

/** What the workflows were compiled from. */
export interface WorkflowSet<W extends { readonly name: string }> {
  /** Every job (`jobs/index.ts` `allJobs`). */
  readonly jobs: readonly AnyJob[];
  /** Every workflow; each becomes a state machine. */
  readonly workflows: readonly W[];
  /** The DSL's compiler. */
  readonly compile: (workflow: W, bindings: ResourceBindings) => CompiledSource;
  /** The workflow EventBridge starts for objects created under `imports/`. */
  readonly importStarterWorkflowName: string;
}

/** Which executors of which jobs the workflows use, and which jobs each workflow runs. */
export interface WorkflowUsage {
  /** Executors used, by job name: only these are deployed. */
  readonly executors: ReadonlyMap<string, ReadonlySet<Executor>>;
  /** The jobs each workflow runs, by workflow name, in the order of their first use. */
  readonly jobsByWorkflow: ReadonlyMap<string, readonly { job: AnyJob; executor: Executor }[]>;
}

/**
 * Compiles every workflow against placeholder ARNs and lists every problem: validation issues, a job that is
 * not in `allJobs`, an executor its job does not run on, a workflow declared twice, no import starter.
 */
export function compileForUsage<W extends { readonly name: string }>(
  set: WorkflowSet<W>,
): { usage: WorkflowUsage; problems: string[] } {
  const problems: string[] = [];
  const jobsByName = new Map(set.jobs.map((job) => [job.name, job]));
  const executors = new Map<string, Set<Executor>>();
  const jobsByWorkflow = new Map<string, { job: AnyJob; executor: Executor }[]>();
  for (const workflow of set.workflows) {
    if (jobsByWorkflow.has(workflow.name)) problems.push(`Workflow '${workflow.name}' is declared twice`);
    const requests: BindingRequest[] = [];
    const compiled = set.compile(workflow, recordingBindings(placeholderBindings(), requests));
    for (const issue of compiled.issues) {
      problems.push(`Workflow '${workflow.name}': ${issue.code} at ${issue.path}: ${issue.message}`);
    }
    const used: { job: AnyJob; executor: Executor }[] = [];
    for (const { job, executor } of requests) {
      if (jobsByName.get(job.name) !== job) {
        problems.push(`Workflow '${workflow.name}': job '${job.name}' is not in jobs/index.ts allJobs`);
      } else if (!job.runsOn.includes(executor)) {
        problems.push(
          `Workflow '${workflow.name}': job '${job.name}' runs on ${job.runsOn.join(', ')}, not ${executor}`,
        );
      } else {
        if (!executors.has(job.name)) executors.set(job.name, new Set());
        executors.get(job.name)!.add(executor);
        if (!used.some((u) => u.job === job && u.executor === executor)) used.push({ job, executor });
      }
    }
    jobsByWorkflow.set(workflow.name, used);
  }
  if (!jobsByWorkflow.has(set.importStarterWorkflowName)) {
    problems.push(
      `No workflow named '${set.importStarterWorkflowName}' for objects created under imports/ to start`,
    );
  }
  return { usage: { executors, jobsByWorkflow }, problems: [...new Set(problems)] };
}
