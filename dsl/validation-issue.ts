/** A problem found in a workflow, with a stable code and the path of the state it concerns. */
export interface ValidationIssue {
  /** Stable, upper-snake-case code, e.g. `NEXT_TARGET_MISSING`. */
  readonly code: string;
  /** Where: `States.ImportToKafka`, `States.Fan.Branches[0].States.Step`, or `StartAt`. */
  readonly path: string;
  readonly message: string;
}

/** Thrown when a workflow has issues; lists all of them. */
export class WorkflowValidationError extends Error {
  constructor(
    readonly workflow: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    super(
      `Workflow '${workflow}' has ${issues.length} issue(s):\n` +
        issues.map((i) => `  ${i.code} at ${i.path}: ${i.message}`).join('\n'),
    );
    this.name = 'WorkflowValidationError';
  }
}
