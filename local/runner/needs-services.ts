import { forEachChain } from '../../dsl/graph.ts';
import type { AnyWorkflow } from '../../dsl/index.ts';

/**
 * Whether a local run of the workflow needs the embedded Kafka broker and AWS emulator: a job that touches a
 * platform resource (its `needs`) or a service step, in the workflow or in one it starts. A workflow of
 * Pass, Choice, Wait states (or of jobs that need nothing) runs without starting them.
 */
export function needsLocalServices(workflow: AnyWorkflow, seen = new Set<AnyWorkflow>()): boolean {
  if (seen.has(workflow)) return false;
  seen.add(workflow);
  if (workflow.steps.some((step) => step.job.needs.length > 0)) return true;
  let service = false;
  forEachChain(workflow.root, (chain) => {
    service ||= chain.states.some((state) => state.kind === 'serviceTask');
  });
  return service || workflow.started.some((started) => needsLocalServices(started as AnyWorkflow, seen));
}
