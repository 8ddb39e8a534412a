// Bundles the job entries for the image: dist/lambda.mjs (Lambda handlers) and dist/jobs.mjs (Fargate entry).
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(fileURLToPath(import.meta.url), '../..');

/** Entry points of the image, by output file name. */
export const jobEntryPoints = {
  lambda: 'jobs/runtime/lambda-entry.ts',
  jobs: 'jobs/runtime/fargate-entry.ts',
} as const;

/** Bundles every job entry into `outDir` (self-contained ESM for Node 24, no node_modules needed at run time). */
export async function buildJobs(outDir: string): Promise<string[]> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(
      Object.entries(jobEntryPoints).map(([name, path]) => [name, resolve(root, path)]),
    ),
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    sourcemap: 'linked',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    // kafkajs and parts of the AWS SDK are CommonJS and call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  return Object.keys(result.metafile.outputs);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outIndex = process.argv.indexOf('--out');
  const outDir = resolve(outIndex !== -1 ? process.argv[outIndex + 1]! : 'dist');
  const outputs = await buildJobs(outDir);
  process.stdout.write(`built ${outputs.filter((o) => o.endsWith('.mjs')).join(', ')}\n`);
}
