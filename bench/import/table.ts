/** Prints rows of cells as aligned columns (the first row is the heading). */
export function writeTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows)
    process.stdout.write(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ') + '\n');
}
