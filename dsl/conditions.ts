import { type Ref, refExpression, type Scope } from './ref.ts';

declare const CONDITION_SCOPE: unique symbol;

/** A Choice rule's test, rendered to ASL without its `Next`. */
export interface Condition<out Sc extends Scope = Scope> {
  readonly rule: Readonly<Record<string, unknown>>;
  readonly [CONDITION_SCOPE]?: Sc;
}

type Comparable = string | number;

function compare<T extends Comparable | boolean>(operator: string, variable: Ref<T, Scope>, value: T) {
  const typeName = typeof value === 'number' ? 'Numeric' : typeof value === 'boolean' ? 'Boolean' : 'String';
  return { rule: { Variable: refExpression(variable), [`${typeName}${operator}`]: value } };
}

function pathCompare(
  type: 'String' | 'Numeric',
  operator: string,
  variable: Ref<unknown, Scope>,
  other: Ref<unknown, Scope>,
) {
  return { rule: { Variable: refExpression(variable), [`${type}${operator}Path`]: refExpression(other) } };
}

/**
 * Typed Choice conditions: the compared value must have the reference's type.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
 */
export const conditions = {
  /** Equality with a literal string, number or boolean. */
  eq<T extends Comparable | boolean, Sc extends Scope>(
    variable: Ref<T, Sc>,
    value: NoInfer<T>,
  ): Condition<Sc> {
    return compare('Equals', variable, value);
  },
  /** `>` on numbers or strings. */
  gt<T extends Comparable, Sc extends Scope>(variable: Ref<T, Sc>, value: NoInfer<T>): Condition<Sc> {
    return compare('GreaterThan', variable, value);
  },
  /** `>=` on numbers or strings. */
  gte<T extends Comparable, Sc extends Scope>(variable: Ref<T, Sc>, value: NoInfer<T>): Condition<Sc> {
    return compare('GreaterThanEquals', variable, value);
  },
  /** `<` on numbers or strings. */
  lt<T extends Comparable, Sc extends Scope>(variable: Ref<T, Sc>, value: NoInfer<T>): Condition<Sc> {
    return compare('LessThan', variable, value);
  },
  /** `<=` on numbers or strings. */
  lte<T extends Comparable, Sc extends Scope>(variable: Ref<T, Sc>, value: NoInfer<T>): Condition<Sc> {
    return compare('LessThanEquals', variable, value);
  },
  /** Equality of two referenced strings. */
  stringEqualsRef<Sc extends Scope>(variable: Ref<string, Sc>, other: Ref<string, Sc>): Condition<Sc> {
    return pathCompare('String', 'Equals', variable, other);
  },
  /** Equality of two referenced numbers. */
  numberEqualsRef<Sc extends Scope>(variable: Ref<number, Sc>, other: Ref<number, Sc>): Condition<Sc> {
    return pathCompare('Numeric', 'Equals', variable, other);
  },
  /** Glob match (`*` wildcard) of a string. */
  matches<Sc extends Scope>(variable: Ref<string, Sc>, pattern: string): Condition<Sc> {
    return { rule: { Variable: refExpression(variable), StringMatches: pattern } };
  },
  /**
   * The field exists (optional fields only make sense here); with `false`, it does not. The `false` form compiles
   * to `Not` of the `true` one, which means the same on AWS and is what the local interpreter evaluates correctly.
   */
  isPresent<Sc extends Scope>(variable: Ref<unknown, Sc>, present = true): Condition<Sc> {
    const rule = { Variable: refExpression(variable), IsPresent: true };
    return { rule: present ? rule : { Not: rule } };
  },
  /** The field is null; with `false`, it is not (compiled as `Not`, like `isPresent(…, false)`). */
  isNull<Sc extends Scope>(variable: Ref<unknown, Sc>, isNull = true): Condition<Sc> {
    const rule = { Variable: refExpression(variable), IsNull: true };
    return { rule: isNull ? rule : { Not: rule } };
  },
  /** All conditions hold. */
  and<Sc extends Scope>(...all: Condition<Sc>[]): Condition<Sc> {
    return { rule: { And: all.map((c) => c.rule) } };
  },
  /** At least one condition holds. */
  or<Sc extends Scope>(...any: Condition<Sc>[]): Condition<Sc> {
    return { rule: { Or: any.map((c) => c.rule) } };
  },
  /** The condition does not hold. */
  not<Sc extends Scope>(condition: Condition<Sc>): Condition<Sc> {
    return { rule: { Not: condition.rule } };
  },
};
