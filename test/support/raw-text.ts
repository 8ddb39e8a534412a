/** Text a snapshot stores as is (no quoting or escaping), so JSON in a snapshot reads like the JSON file. */
export class RawText {
  constructor(readonly text: string) {}
}

/** Pretty JSON, in its own key order, as a raw-text snapshot value. */
export function jsonText(value: unknown): RawText {
  return new RawText(JSON.stringify(value, null, 2));
}
