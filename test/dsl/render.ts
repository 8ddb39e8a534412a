import type { AnyWorkflow, CompiledWorkflow } from '../../dsl/index.ts';
import { compileWorkflow } from '../../dsl/index.ts';
import { placeholderResources } from '../../workflows/placeholder-bindings.ts';

/** Compiles a workflow with the placeholder account's ARNs: the one helper every DSL test renders through. */
export function render(workflow: AnyWorkflow): CompiledWorkflow {
  return compileWorkflow(workflow, placeholderResources());
}
