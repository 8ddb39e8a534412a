import { TypeCheckError, typecheckPreflight } from '../scripts/typecheck-preflight.ts';
import type { PreflightCheck } from './preflight.ts';

/**
 * The DSL's promises hold on `pulumi up` too: Pulumi runs the program with tsx, which strips types unchecked, so
 * the program and every workflow and job it imports are type-checked before anything registers.
 */
export const programTypeCheck: PreflightCheck = () => {
  try {
    typecheckPreflight(['index.ts']);
    return [];
  } catch (error) {
    if (error instanceof TypeCheckError) return [error.message];
    throw error;
  }
};
