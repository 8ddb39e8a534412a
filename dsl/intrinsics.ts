import { isRef, type Ref, ref, refExpression, type Scope } from './ref.ts';

/** An intrinsic-function argument of type `T`: a reference (a path or another call) or a literal. */
type Arg<T, Sc extends Scope> = Ref<T, Sc> | (T extends string | number | boolean | null ? T : never);

function renderArg(arg: unknown): string {
  if (isRef(arg)) return refExpression(arg);
  if (typeof arg === 'string') return quote(arg, /[\\'{}]/g);
  return String(arg);
}

/** A quoted intrinsic string; `reserved` characters get a backslash (a template keeps its `{}` placeholders). */
function quote(text: string, reserved: RegExp): string {
  return `'${text.replace(reserved, (c) => `\\${c}`)}'`;
}

/** `States.<name>(args…)` as a reference. */
function call<T, Sc extends Scope>(name: string, ...args: unknown[]): Ref<T, Sc> {
  return ref(`States.${name}(${args.map(renderArg).join(', ')})`);
}

/** Hash algorithms of `States.Hash`. */
export type HashAlgorithm = 'MD5' | 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/**
 * Every intrinsic function of the States language, as typed references; arguments are references (paths or
 * other calls) or literals.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
 */
export const intrinsics = {
  /** `States.Format('template {}', …)`: a string built from a template. */
  format<Sc extends Scope = never>(template: string, ...args: Arg<unknown, Sc>[]): Ref<string, Sc> {
    return ref(`States.Format(${[quote(template, /[\\']/g), ...args.map(renderArg)].join(', ')})`);
  },
  /** `States.StringToJson(text)`: JSON text parsed; `T` says what it holds. */
  stringToJson<T = unknown, Sc extends Scope = never>(text: Arg<string, Sc>): Ref<T, Sc> {
    return call('StringToJson', text);
  },
  /** `States.JsonToString(path)`: a value serialised as JSON text (numbers become their decimal text). */
  jsonToString<Sc extends Scope = never>(value: Ref<unknown, Sc>): Ref<string, Sc> {
    return call('JsonToString', value);
  },
  /** `States.Array(a, b, …)`: an array of the arguments. */
  array<T, Sc extends Scope = never>(...items: Arg<T, Sc>[]): Ref<T[], Sc> {
    return call('Array', ...items);
  },
  /** `States.ArrayPartition(array, size)`: chunks of at most `size` elements. */
  arrayPartition<T, Sc extends Scope = never>(
    array: Ref<readonly T[], Sc>,
    size: Arg<number, Sc>,
  ): Ref<T[][], Sc> {
    return call('ArrayPartition', array, size);
  },
  /** `States.ArrayContains(array, value)`. */
  arrayContains<T, Sc extends Scope = never>(
    array: Ref<readonly T[], Sc>,
    value: Arg<T, Sc>,
  ): Ref<boolean, Sc> {
    return call('ArrayContains', array, value);
  },
  /** `States.ArrayRange(first, last, step)`: numbers from `first` to `last` inclusive. */
  arrayRange<Sc extends Scope = never>(
    first: Arg<number, Sc>,
    last: Arg<number, Sc>,
    step: Arg<number, Sc>,
  ): Ref<number[], Sc> {
    return call('ArrayRange', first, last, step);
  },
  /** `States.ArrayGetItem(array, index)`. */
  arrayGetItem<T, Sc extends Scope = never>(
    array: Ref<readonly T[], Sc>,
    index: Arg<number, Sc>,
  ): Ref<T, Sc> {
    return call('ArrayGetItem', array, index);
  },
  /** `States.ArrayLength(array)`. */
  arrayLength<Sc extends Scope = never>(array: Ref<readonly unknown[], Sc>): Ref<number, Sc> {
    return call('ArrayLength', array);
  },
  /** `States.ArrayUnique(array)`: duplicates removed. */
  arrayUnique<T, Sc extends Scope = never>(array: Ref<readonly T[], Sc>): Ref<T[], Sc> {
    return call('ArrayUnique', array);
  },
  /** `States.Base64Encode(text)`. */
  base64Encode<Sc extends Scope = never>(text: Arg<string, Sc>): Ref<string, Sc> {
    return call('Base64Encode', text);
  },
  /** `States.Base64Decode(text)`. */
  base64Decode<Sc extends Scope = never>(text: Arg<string, Sc>): Ref<string, Sc> {
    return call('Base64Decode', text);
  },
  /** `States.Hash(data, algorithm)`: the hex digest. */
  hash<Sc extends Scope = never>(data: Arg<unknown, Sc>, algorithm: HashAlgorithm): Ref<string, Sc> {
    return call('Hash', data, algorithm);
  },
  /** `States.JsonMerge(a, b, false)`: a shallow merge, `b`'s fields winning (Step Functions merges only shallowly). */
  jsonMerge<A extends object, B extends object, Sc extends Scope = never>(
    a: Ref<A, Sc>,
    b: Ref<B, Sc>,
  ): Ref<Omit<A, keyof B> & B, Sc> {
    return call('JsonMerge', a, b, false);
  },
  /** `States.MathRandom(start, end[, seed])`: an integer from `start` (inclusive) to `end` (exclusive). */
  mathRandom<Sc extends Scope = never>(
    start: Arg<number, Sc>,
    end: Arg<number, Sc>,
    seed?: Arg<number, Sc>,
  ): Ref<number, Sc> {
    return seed === undefined ? call('MathRandom', start, end) : call('MathRandom', start, end, seed);
  },
  /** `States.MathAdd(a, b)`: the sum of two integers. */
  mathAdd<Sc extends Scope = never>(a: Arg<number, Sc>, b: Arg<number, Sc>): Ref<number, Sc> {
    return call('MathAdd', a, b);
  },
  /** `States.StringSplit(text, separator)`. */
  stringSplit<Sc extends Scope = never>(text: Arg<string, Sc>, separator: string): Ref<string[], Sc> {
    return call('StringSplit', text, separator);
  },
  /** `States.UUID()`: a fresh v4 UUID. */
  uuid(): Ref<string> {
    return ref('States.UUID()');
  },
};
