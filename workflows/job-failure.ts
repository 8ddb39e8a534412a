import type { CaughtError } from '../dsl/index.ts';

/** Where a workflow keeps the error of the step that failed, for MarkFailed to record. */
export interface StepFailure {
  readonly failure: CaughtError & { readonly step: string };
}

/** What a Catch places before the failed step's name is added. */
export interface CaughtFailure {
  readonly failure: CaughtError;
}
