/**
 * Whether `bytes` hold `expected` at offset `at` (the caller checks that they fit). A loop, not Buffer.compare: for
 * the few bytes the export compares per record (a header name, a JSON key), the call costs more than the bytes.
 */
export function bytesAt(bytes: Uint8Array, at: number, expected: Uint8Array): boolean {
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false;
  return true;
}
