import { createRequire } from 'node:module';
import type { ValidationIssue } from './validation-issue.ts';

type AslValidator = (definition: unknown) => {
  isValid: boolean;
  errors: { path?: string; message?: string }[];
};

// asl-validator is CommonJS without type declarations.
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

/**
 * Checks a definition with the independent `asl-validator` (JSON schemas of the States Language).
 * It mutates its argument, so it gets a deep copy.
 */
export function checkWithAslValidator(definition: unknown): ValidationIssue[] {
  const result = aslValidator(structuredClone(definition));
  if (result.isValid) return [];
  return result.errors.map((e) => ({
    code: 'ASL_SCHEMA',
    path: e.path ?? '',
    message: `asl-validator: ${e.message ?? JSON.stringify(e)}`,
  }));
}
