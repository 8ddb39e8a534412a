import { isRef, type Ref, ref, refExpression, type Scope } from './ref.ts';

/** An intrinsic-function argument: a reference or a literal. */
type Arg<Sc extends Scope> = Ref<unknown, Sc> | string | number | boolean | null;

function renderArg(arg: Arg<Scope>): string {
  if (isRef(arg)) return refExpression(arg);
  if (typeof arg === 'string') return quote(arg, /[\\'{}]/g);
  return String(arg);
}

/** A quoted intrinsic string; `reserved` characters get a backslash (a template keeps its `{}` placeholders). */
function quote(text: string, reserved: RegExp): string {
  return `'${text.replace(reserved, (c) => `\\${c}`)}'`;
}

/**
 * Step Functions intrinsic functions as typed references.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
 */
export const intrinsics = {
  /** `States.Format('template {}', ...)`: a string built from a template. */
  format<Sc extends Scope = never>(template: string, ...args: Arg<Sc>[]): Ref<string, Sc> {
    return ref(`States.Format(${[quote(template, /[\\']/g), ...args.map(renderArg)].join(', ')})`);
  },
  /** `States.JsonToString(path)`: a value serialised as JSON text (numbers become their decimal text). */
  jsonToString<Sc extends Scope = never>(value: Ref<unknown, Sc>): Ref<string, Sc> {
    return ref(`States.JsonToString(${refExpression(value)})`);
  },
  /** `States.UUID()`: a fresh v4 UUID. */
  uuid(): Ref<string> {
    return ref('States.UUID()');
  },
  /** `States.ArrayGetItem(array, index)`. */
  arrayGetItem<T, Sc extends Scope = never>(array: Ref<readonly T[], Sc>, index: number): Ref<T, Sc> {
    return ref(`States.ArrayGetItem(${refExpression(array)}, ${index})`);
  },
  /** `States.ArrayLength(array)`. */
  arrayLength<Sc extends Scope = never>(array: Ref<readonly unknown[], Sc>): Ref<number, Sc> {
    return ref(`States.ArrayLength(${refExpression(array)})`);
  },
  /** `States.StringSplit(text, separator)`. */
  stringSplit<Sc extends Scope = never>(text: Ref<string, Sc>, separator: string): Ref<string[], Sc> {
    return ref(`States.StringSplit(${refExpression(text)}, ${renderArg(separator)})`);
  },
};
