import { createRequire } from 'node:module';
import type { ValidationIssue } from './validation-issue.ts';

/** One asl-validator 4 error. */
interface AslValidatorError {
  readonly 'Error code'?: string;
  readonly Message?: string;
  readonly schemaError?: { readonly instancePath?: string };
}

type AslValidator = (definition: unknown) => { isValid: boolean; errors: AslValidatorError[] };

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
    // `/States/A/Type` → `States.A.Type`, the path form of the DSL's own issues.
    path: (e.schemaError?.instancePath ?? '').split('/').filter(Boolean).join('.'),
    message: `asl-validator: ${e.Message ?? JSON.stringify(e)}${e['Error code'] ? ` (${e['Error code']})` : ''}`,
  }));
}
