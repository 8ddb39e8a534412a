import type { z } from 'zod';

/** zod's internal definition, as far as reading a field's type needs it. */
interface ZodDef {
  readonly type: string;
  readonly innerType?: unknown;
  readonly values?: readonly unknown[];
}

/**
 * The schema that says what type a field has, under its optional/nullable/default wrappers: what both the
 * compiler (Fargate environment values) and the job entry (environment → input) decide by.
 */
export function fieldBaseType(schema: z.ZodType): ZodDef {
  let def = (schema as unknown as { _zod: { def: ZodDef } })._zod.def;
  while (['optional', 'nullable', 'default', 'prefault'].includes(def.type) && def.innerType) {
    def = (def.innerType as { _zod: { def: ZodDef } })._zod.def;
  }
  return def;
}

/** True when the field is text: a string, an enum, or string literals. */
export function isTextField(schema: z.ZodType): boolean {
  const def = fieldBaseType(schema);
  if (def.type === 'string' || def.type === 'enum') return true;
  return def.type === 'literal' && (def.values ?? []).every((v) => typeof v === 'string');
}
