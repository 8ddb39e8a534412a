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

/**
 * `P` with every key that `T` does not have turned into a readable error: a generic payload escapes TypeScript's
 * excess-property check, so a misspelt optional key (`objectKy:`) would otherwise compile and be dropped at run time.
 */
export type NoExcess<P, T> = P &
  NoInfer<{
    readonly [K in Exclude<keyof P, keyof T>]: {
      readonly error: `'${K & string}' is not a field of this input`;
    };
  }>;

/** Any payload template: JSON with references at the leaves. */
export type PayloadTemplate = { readonly [key: string]: unknown };

const STATE_NAME = '$$.State.Name';

/**
 * Renders a payload template to ASL Parameters: a reference under `key` becomes `"key.$": "<path>"`;
 * `undefined` fields are dropped; other values (including Pulumi Inputs) pass through unchanged.
 * `$$.State.Name` becomes the name of the state the payload belongs to: the same value on AWS, and one the
 * local interpreter (which has no `$$.State`) can give.
 */
export function renderPayload(template: unknown, stateName?: string): unknown {
  if (Array.isArray(template)) return template.map((item) => renderPayload(item, stateName));
  if (typeof template !== 'object' || template === null || !isPlainObject(template)) return template;
  const rendered: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (value === undefined) continue;
    if (isRef(value)) {
      const expression = refExpression(value);
      if (stateName !== undefined && expression === STATE_NAME) rendered[key] = stateName;
      else rendered[`${key}.$`] = withStateName(expression, stateName);
    } else rendered[key] = renderPayload(value, stateName);
  }
  return rendered;
}

/** An intrinsic function call with `$$.State.Name` arguments replaced by the state's name as a literal. */
function withStateName(expression: string, stateName: string | undefined): string {
  if (stateName === undefined || !expression.startsWith('States.')) return expression;
  const literal = `'${stateName.replace(/[\\'{}]/g, (c) => `\\${c}`)}'`;
  return expression.replaceAll(STATE_NAME, literal);
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
