// Bundles the job entries for the image: dist/lambda.mjs (Lambda handlers) and dist/jobs.mjs (Fargate entry), plus
// the one package esbuild cannot bundle, the Kafka client's compiled addon, in dist/node_modules.
import { cpSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(fileURLToPath(import.meta.url), '../..');

/** Entry points of the image, by output file name. */
export const jobEntryPoints = {
  lambda: 'jobs/runtime/lambda-entry.ts',
  jobs: 'jobs/runtime/fargate-entry.ts',
  // The import's parser worker thread, started by the import from the bundle's folder.
  'import-block-worker': 'jobs/import-audience/block-worker.ts',
  // The export's reader threads (jobs/export-audience/segment-readers.ts starts them from beside dist/jobs.mjs).
  'export-segment-reader': 'jobs/export-audience/segment-worker.ts',
} as const;

/** Packages loaded at run time from `dist/node_modules` instead of the bundle: a native addon and what it requires. */
const nativePackages = {
  '@confluentinc/kafka-javascript': [
    'package.json',
    'librdkafka.js',
    'lib',
    'build/Release/confluent-kafka-javascript.node',
    // librdkafka, linked dynamically (the addon's RUNPATH is $ORIGIN/../deps); OpenSSL and zlib come from the OS.
    'build/deps/librdkafka.so.1',
    'build/deps/librdkafka++.so.1',
  ],
  bindings: ['package.json', 'bindings.js'],
  'file-uri-to-path': ['package.json', 'index.js'],
} as const;

/** Copies the native packages' run-time files into `outDir/node_modules` (no sources, no build tree). */
function copyNativePackages(outDir: string): void {
  const require = createRequire(join(root, 'package.json'));
  for (const [name, files] of Object.entries(nativePackages)) {
    const from = dirname(require.resolve(`${name}/package.json`));
    for (const file of files) {
      if (!existsSync(join(from, file)))
        throw new Error(`${name}/${file} is missing: run npm ci (its postinstall builds the Kafka addon)`);
      cpSync(join(from, file), join(outDir, 'node_modules', name, file), { recursive: true });
    }
  }
}

/** Bundles every job entry into `outDir`: ESM for Node 24, with the native Kafka client beside it in node_modules. */
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
    external: Object.keys(nativePackages),
    // The package's bundler entry: its WebAssembly inline, not read from a file beside its own module.
    alias: { '@platformatic/wasm-utils': '@platformatic/wasm-utils/bundled' },
    // Parts of the AWS SDK are CommonJS and call require() for Node built-ins (and for the external packages).
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
  copyNativePackages(outDir);
  return Object.keys(result.metafile.outputs);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outIndex = process.argv.indexOf('--out');
  const outDir = resolve(outIndex !== -1 ? process.argv[outIndex + 1]! : 'dist');
  const outputs = await buildJobs(outDir);
  process.stdout.write(`built ${outputs.filter((o) => o.endsWith('.mjs')).join(', ')}\n`);
}
