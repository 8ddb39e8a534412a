/**
 * An error the interpreter matches against Retry and Catch by `name`; its message becomes the `Cause`.
 * (No `cause` property: the interpreter would prefer it to the message in its event log.)
 */
export function namedError(name: string, cause: string): Error {
  const error = new Error(cause);
  Object.defineProperty(error, 'name', {
    value: name,
    enumerable: false,
    configurable: true,
    writable: true,
  });
  return error;
}
