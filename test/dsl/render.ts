import { type AnyWorkflow, type CompiledWorkflow, compileWorkflow, placeholderBindings } from '../../dsl/index.ts';

/** Compiles a workflow with the placeholder account's ARNs: the one helper every DSL test renders through. */
export function render(workflow: AnyWorkflow): CompiledWorkflow {
  return compileWorkflow(workflow, placeholderBindings());
}
