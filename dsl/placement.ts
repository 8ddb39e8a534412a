/** Type-level ResultPath: where a state puts its result, and the state shape that follows. */

/** A ResultPath the DSL accepts: `$` (replace), `$.a.b` (place), or `null` (discard the result). */
export type ResultPath = '$' | `$.${string}` | null;

/** Flattens intersections so hovers and errors read as one object. */
export type Simplify<T> = T extends object ? { [K in keyof T]: T[K] } & {} : T;

type SetIn<S, Path extends string, R> = Path extends `${infer Head}.${infer Tail}`
  ? Simplify<Omit<S, Head> & { [K in Head]: SetIn<Head extends keyof S ? S[Head] : unknown, Tail, R> }>
  : Simplify<Omit<S, Path> & { [K in Path]: R }>;

/** The state after a step with ResultPath `P` produced `R` from state `S`. */
export type Placed<S, P extends ResultPath, R> = [P] extends [null]
  ? S
  : P extends '$'
    ? R
    : P extends `$.${infer Rest}`
      ? SetIn<S, Rest, R>
      : never;

const RESULT_PATH = /^\$(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Checks a ResultPath at build time; only simple dotted paths can be typed. */
export function checkResultPath(state: string, path: ResultPath | undefined): void {
  if (path === undefined || path === null) return;
  if (!RESULT_PATH.test(path)) {
    throw new Error(`State '${state}': resultPath '${path}' must be '$' or a dotted path like '$.a.b'`);
  }
}
