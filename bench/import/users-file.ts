import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

const plans = ['free', 'pro', 'team'];
const countries = ['jp', 'us', 'de', 'fr', 'br'];

/** The generated user of row `i`: user id, then the attributes in header order. */
function user(i: number): { userId: string; attributes: Record<string, string> } {
  return {
    userId: `user-${i}`,
    attributes: { email: `user${i}@example.com`, plan: plans[i % 3]!, country: countries[i % 5]! },
  };
}

function csvLine(i: number): string {
  const { userId, attributes } = user(i);
  return `${userId},${attributes.email},${attributes.plan},${attributes.country}\n`;
}

/** Writes `header` then one line per row from `line(i)`, in 1 MiB writes; returns the bytes written. */
async function writeLines(path: string, rows: number, header: string, line: (i: number) => string) {
  const out = createWriteStream(path);
  let bytes = 0;
  let buffer = header;
  for (let i = 0; i < rows; i++) {
    buffer += line(i);
    if (buffer.length > 1 << 20 || i === rows - 1) {
      bytes += Buffer.byteLength(buffer);
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  bytes += Buffer.byteLength(buffer);
  out.end(buffer);
  await once(out, 'finish');
  return bytes;
}

/** Writes a users CSV of `rows` rows (user_id, email, plan, country; about 50 bytes a row) without holding it in memory. */
export function writeUsersFile(path: string, rows: number): Promise<number> {
  return writeLines(path, rows, 'user_id,email,plan,country\n', csvLine);
}

/**
 * Writes what the import produces for the same rows, pre-encoded for `kcat -P -K '\t'`: one line per record,
 * the key (user id), a tab, then the JSON value the job writes (the `record-type` header is kcat's `-H`).
 */
export function writeUsersPayloadFile(
  path: string,
  rows: number,
  ids: { importId: string; userSegmentationId: string },
): Promise<number> {
  return writeLines(path, rows, '', (i) => {
    const { userId, attributes } = user(i);
    const { importId, userSegmentationId } = ids;
    const value = { type: 'user', userSegmentationId, userId, attributes, importId };
    return `${userId}\t${JSON.stringify(value)}\n`;
  });
}

/** The same users CSV as a string (for smaller runs). */
export function generateCsvText(rows: number): string {
  let text = 'user_id,email,plan,country\n';
  for (let i = 0; i < rows; i++) text += csvLine(i);
  return text;
}
