/**
 * Object keys outside the import layout (too deep or shallow, wrong extension or prefix, ids with other
 * characters or too long), each with whether the EventBridge rule still matches it: its wildcards cannot
 * exclude '/' or check characters, so those reach the import starter, which refuses them (NotAnImportKey).
 */
export const NOT_IMPORT_KEYS: Readonly<Record<string, boolean>> = {
  'imports/segment-7.csv': false,
  'imports/a/b/c.csv': true,
  'imports/segment/import.json': false,
  'imports/segment/import.csv.zip': false,
  'imports/segment/import.gz': false,
  'imports//import.csv': true,
  'imports/segment/.csv': true,
  'exports/segment/import.csv': false,
  'imports/seg ment/import.csv': true,
  'imports/segment/imp.ort.csv': true,
  'imports/ségment/import.csv': true,
  'imports/segment/import+1.csv': true,
  [`imports/segment/${'x'.repeat(81)}.csv`]: true,
  [`imports/${'s'.repeat(81)}/import.csv.gz`]: true,
};

/** A key shortened for a test title. */
export function shortKey(key: string): string {
  return key.length > 40 ? `${key.slice(0, 40)}…` : key;
}
