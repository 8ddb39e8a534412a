/**
 * Typed references to workflow data. A `Ref<T>` stands for a JSON value of type `T` that exists only when
 * the state machine runs; it compiles to a JSONPath (`"key.$": "$.a.b"`) or an intrinsic function call.
 */

/** Runtime marker of a reference; its value is the JSONPath or intrinsic expression. */
export const REF = Symbol.for('audience-io.ref');

declare const VALUE_TYPE: unique symbol;
declare const SCOPE: unique symbol;

/**
 * Scope tag of the `$` a reference is relative to: `'w'` for the workflow's top level, `'w>m'` inside a map
 * iteration (where `$` is the item), and so on for nested maps. Context-object references have scope `never`
 * and are valid everywhere.
 */
export type Scope = string;

/** A reference to a value of type `T` that is valid in scope `Sc`. */
export interface Ref<out T, out Sc extends Scope = never> {
  readonly [REF]: string;
  /** Phantom: the referenced value's type. */
  readonly [VALUE_TYPE]?: T;
  /** Phantom: where the reference may be used. */
  readonly [SCOPE]?: Sc;
}

/** How the children of `T` are referenced: by index (arrays, tuples), by field (objects), or not at all. */
type Shape<T> = T extends readonly unknown[] ? 'array' : T extends object ? 'object' : 'leaf';

/** Elements of a tuple by position, of an array by any index (a missing index fails the state at run time). */
type Elements<T extends readonly unknown[], Sc extends Scope> = {
  readonly [I in keyof T & `${number}`]: RefTree<T[I], Sc>;
} & (number extends T['length'] ? { readonly [index: number]: RefTree<T[number], Sc> } : unknown);

/**
 * A reference to `T` whose fields and elements are references too: `$.input.userSegmentationId` is
 * `Ref<string>`, `$.results[0].Payload` the first result's payload. Optional fields keep `undefined` in their
 * type, so they cannot feed a required job field.
 */
export type RefTree<T, Sc extends Scope> = Ref<T, Sc> &
  ([Shape<T>] extends ['array']
    ? Elements<T & readonly unknown[], Sc>
    : [Shape<T>] extends ['object']
      ? { readonly [K in keyof Required<T> & string]: RefTree<T[K], Sc> }
      : unknown);

/** The type a reference stands for. */
export type RefValue<R> = R extends Ref<infer T, Scope> ? T : never;

/** Builds a reference from a JSONPath or intrinsic expression (no checks: the typed trees are the public way). */
export function ref<T, Sc extends Scope = never>(expression: string): Ref<T, Sc> {
  return { [REF]: expression } as Ref<T, Sc>;
}

/** True when `value` is a reference. */
export function isRef(value: unknown): value is Ref<unknown, Scope> {
  return typeof value === 'object' && value !== null && REF in value;
}

/** The JSONPath or intrinsic expression of a reference. */
export function refExpression(value: Ref<unknown, Scope>): string {
  return value[REF];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INDEX = /^(0|[1-9][0-9]*)$/;

/** Appends a field (or an array index) to a JSONPath, in bracket notation where it is not a plain identifier. */
export function appendPath(path: string, field: string): string {
  if (INDEX.test(field)) return `${path}[${field}]`;
  return IDENTIFIER.test(field) ? `${path}.${field}` : `${path}['${field.replace(/'/g, "\\'")}']`;
}

/**
 * A reference tree rooted at `path`, built lazily by a Proxy: `tree.a.b` is the reference `path.a.b`.
 * Names are checked by the type system, never at run time.
 */
export function refTree<T, Sc extends Scope>(path: string): RefTree<T, Sc> {
  return new Proxy({ [REF]: path } as object, {
    get(target, property) {
      if (property === REF) return path;
      if (typeof property === 'symbol') return Reflect.get(target, property);
      // `then` must stay undefined so a tree is never mistaken for a promise.
      if (property === 'then') return undefined;
      return refTree(appendPath(path, property));
    },
    has(_target, property) {
      return property === REF;
    },
  }) as RefTree<T, Sc>;
}
