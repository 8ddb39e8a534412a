import { isRef, type Ref, refExpression, type Scope } from './ref.ts';

type Scalar = string | number | boolean | null | undefined;

/**
 * What may stand where a value of type `T` is expected: the value itself, or a reference to a value of
 * (a subtype of) `T` valid in scope `Sc`; objects and arrays may also be built field by field.
 */
export type Value<T, Sc extends Scope> = [T] extends [Scalar]
  ? T | Ref<T, Sc>
  : [T] extends [readonly (infer E)[]]
    ? Ref<T, Sc> | readonly Value<E, Sc>[]
    : Ref<T, Sc> | PayloadOf<T, Sc>;

/** An object template whose every field is a `Value` of the field's type. */
export type PayloadOf<T, Sc extends Scope> = { [K in keyof T]: Value<T[K], Sc> };

/** Any payload template: JSON with references at the leaves. */
export type PayloadTemplate = { readonly [key: string]: unknown };

/**
 * Renders a payload template to ASL Parameters: a reference under `key` becomes `"key.$": "<path>"`;
 * `undefined` fields are dropped; other values (including Pulumi Inputs) pass through unchanged.
 */
export function renderPayload(template: unknown): unknown {
  if (Array.isArray(template)) return template.map(renderPayload);
  if (typeof template !== 'object' || template === null || !isPlainObject(template)) return template;
  const rendered: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (value === undefined) continue;
    if (isRef(value)) rendered[`${key}.$`] = refExpression(value);
    else rendered[key] = renderPayload(value);
  }
  return rendered;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
