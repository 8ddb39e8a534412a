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

/**
 * A field that must be quoted (RFC 4180): a comma, quote, CR or LF anywhere; also white space at either end, so no
 * CSV reader trims it away.
 */
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** One CSV field: as it is, or quoted with its quotes doubled. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One CSV line (LF-terminated) of the given cells. */
export function csvLine(cells: readonly string[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) line += i === 0 ? csvField(cells[i]!) : `,${csvField(cells[i]!)}`;
  return `${line}\n`;
}

/** The cells of one export row. */
export interface ExportCells {
  /** The header row: `user_id`, then the attribute names. */
  header(attributeNames: readonly string[]): string[];
  /** A user's row as a CSV line: the user id as it is, then the attribute values in header order. */
  rowLine(userId: string, attributes: Readonly<Record<string, string>>, names: readonly string[]): string;
}

/**
 * The export's cells: the user id is never changed (an exported file imports back to the same users); attribute
 * cells (names and values) are neutralised against formula injection unless `escaping` is 'none', with which an
 * export imports back byte for byte. A name missing from a record gives an empty cell.
 */
export function exportCells(escaping: FormulaEscaping): ExportCells {
  const attribute = escaping === 'attributes' ? neutraliseCell : (value: string) => value;
  return {
    header: (attributeNames) => ['user_id', ...attributeNames.map(attribute)],
    rowLine: (userId, attributes, names) => {
      // Written out rather than through csvLine: this runs once per exported row.
      let line = csvField(userId);
      for (const name of names) line += `,${csvField(attribute(attributes[name] ?? ''))}`;
      return `${line}\n`;
    },
  };
}
