import type { z } from 'zod';
import type { JobDeps } from '../runtime/clients.ts';
import type { importKey } from './job.ts';
import { importInputFromObject } from './key-layout.ts';

/** The import workflow's input for the object; a key outside the layout fails as `NotAnImportKey`. */
export async function run(
  input: z.output<typeof importKey.input>,
  _deps: JobDeps,
): Promise<z.input<typeof importKey.output>> {
  return importInputFromObject(input);
}
