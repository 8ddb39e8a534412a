import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/** Writes a users CSV of `rows` rows (user_id, email, plan, country; about 50 bytes a row) without holding it in memory. */
export async function writeUsersFile(path: string, rows: number): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('user_id,email,plan,country\n');
  const plans = ['free', 'pro', 'team'];
  const countries = ['jp', 'us', 'de', 'fr', 'br'];
  let buffer = '';
  for (let i = 0; i < rows; i++) {
    buffer += `user-${i},user${i}@example.com,${plans[i % 3]},${countries[i % 5]}\n`;
    if (buffer.length > 1 << 20) {
      await write(buffer);
      buffer = '';
    }
  }
  await write(buffer);
  out.end();
  await once(out, 'finish');
  return bytes;
}

/** The same users CSV as a string (for smaller runs). */
export function generateCsvText(rows: number): string {
  const plans = ['free', 'pro', 'team'];
  const countries = ['jp', 'us', 'de', 'fr', 'br'];
  const lines = ['user_id,email,plan,country'];
  for (let i = 0; i < rows; i++)
    lines.push(`user-${i},user${i}@example.com,${plans[i % 3]},${countries[i % 5]}`);
  return lines.join('\n') + '\n';
}
