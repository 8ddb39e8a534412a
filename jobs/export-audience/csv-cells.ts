import { z } from 'zod';

/** Which cells of an export get formula neutralisation: attribute cells (the default), or none at all. */
export const FormulaEscaping = z.enum(['attributes', 'none']);
export type FormulaEscaping = z.infer<typeof FormulaEscaping>;

/** Characters that make a spreadsheet read a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Neutralises a cell against formula injection (OWASP): a leading = + - @ tab or CR gets a `'` prefix. */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** The cells of one export row. */
export interface ExportCells {
  /** The header row: `user_id`, then the attribute names. */
  header(attributeNames: string[]): string[];
  /** A user's row: the user id as it is, then the attribute values in header order. */
  row(userId: string, values: string[]): string[];
}

/**
 * The export's cells: the user id is never changed (an exported file imports back to the same users); attribute
 * cells (names and values) are neutralised against formula injection unless `escaping` is 'none', with which an
 * export imports back byte for byte.
 */
export function exportCells(escaping: FormulaEscaping): ExportCells {
  const attribute = escaping === 'attributes' ? neutraliseCell : (value: string) => value;
  return {
    header: (attributeNames) => ['user_id', ...attributeNames.map(attribute)],
    row: (userId, values) => [userId, ...values.map(attribute)],
  };
}
