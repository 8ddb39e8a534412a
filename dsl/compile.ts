import { checkWithAslValidator } from './asl-schema-check.ts';
import type { ResourceBindings } from './bindings.ts';
import { type IamStatement, workflowPermissions } from './permissions.ts';
import type { AslState } from './render/context.ts';
import { AslRenderer } from './render/renderer.ts';
import { validateDefinition } from './validate.ts';
import { type ValidationIssue, WorkflowValidationError } from './validation-issue.ts';
import type { AnyWorkflow } from './workflow.ts';

/** An ASL state machine definition; leaves may be Pulumi Inputs until resolved. */
export interface AslDefinition {
  Comment?: string;
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
}

/** What compiling a workflow yields. */
export interface CompiledWorkflow {
  readonly name: string;
  readonly definition: AslDefinition;
  /** Least-privilege statements of the state machine's role. */
  readonly permissions: IamStatement[];
  /** Every issue found; empty when the workflow is valid. */
  readonly issues: ValidationIssue[];
}

/**
 * Compiles a workflow to ASL with its resources bound, derives its IAM statements, and validates it: the
 * structural rules always, and `asl-validator` when the definition holds no unresolved Pulumi values.
 */
export function compileWorkflow(
  workflow: AnyWorkflow,
  bindings: ResourceBindings,
  options: {
    /** Also run asl-validator (slow on large definitions: ~1 ms per state). @default true */
    aslValidator?: boolean;
  } = {},
): CompiledWorkflow {
  const renderer = new AslRenderer(bindings);
  const scope = renderer.renderScope(workflow.root, '');
  const definition: AslDefinition = {
    Comment: workflow.description,
    ...scope,
    ...(workflow.timeoutSeconds === undefined ? {} : { TimeoutSeconds: workflow.timeoutSeconds }),
  };
  const issues = [...renderer.issues, ...validateDefinition(definition)];
  if (options.aslValidator !== false && isPlainJson(definition))
    issues.push(...checkWithAslValidator(definition));
  return {
    name: workflow.name,
    definition,
    permissions: workflowPermissions(workflow.root, bindings, workflow.name),
    issues,
  };
}

/** Compiles and throws `WorkflowValidationError` listing every issue, if there is any. */
export function compileValidWorkflow(workflow: AnyWorkflow, bindings: ResourceBindings): CompiledWorkflow {
  const compiled = compileWorkflow(workflow, bindings);
  if (compiled.issues.length > 0) throw new WorkflowValidationError(workflow.name, compiled.issues);
  return compiled;
}

/** True when the value is JSON all the way down (no Pulumi Outputs or Promises). */
export function isPlainJson(value: unknown): boolean {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true;
  if (Array.isArray(value)) return value.every(isPlainJson);
  if (typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && Object.values(value).every(isPlainJson);
}
