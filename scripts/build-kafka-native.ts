// Compiles @confluentinc/kafka-javascript (librdkafka and its Node addon) from the sources in its npm tarball.
// Run by `npm ci` (the root postinstall) and by the image's build stage. Its own install script is denied in
// package.json's allowScripts: it downloads a prebuilt binary, or with --build-from-source downloads zlib, OpenSSL
// and zstd sources, and nothing but the package registries is reachable here.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const require = createRequire(join(root, 'package.json'));

/** Where the addon is built, and the stamp that says for which Node ABI and linking. */
export const kafkaNativePackage = dirname(require.resolve('@confluentinc/kafka-javascript/package.json'));
const addon = join(kafkaNativePackage, 'build/Release/confluent-kafka-javascript.node');
const stampFile = join(kafkaNativePackage, 'build/audience-io-build.json');

/**
 * Node's headers for node-gyp: the `node` devDependency's platform package (npm scripts run on it), else the
 * headers beside the running Node (an image's own Node). node-gyp would otherwise download them.
 */
function nodeHeadersDir(): string {
  const candidates = [
    join(root, 'node_modules/node/node_modules', `node-${process.platform}-${process.arch}`),
    resolve(dirname(realpathSync(process.execPath)), '..'),
  ];
  const found = candidates.find((dir) => existsSync(join(dir, 'include/node/node.h')));
  if (!found) throw new Error(`no Node.js headers in ${candidates.join(' or ')}`);
  const headersVersion = /#define NODE_MAJOR_VERSION (\d+)/.exec(
    readFileSync(join(found, 'include/node/node_version.h'), 'utf8'),
  )?.[1];
  if (headersVersion !== process.versions.node.split('.')[0])
    throw new Error(`headers in ${found} are for Node ${headersVersion}, this is Node ${process.version}`);
  return found;
}

function wantedStamp(): string {
  const { version } = JSON.parse(readFileSync(join(kafkaNativePackage, 'package.json'), 'utf8')) as {
    version: string;
  };
  return JSON.stringify({ version, modules: process.versions.modules, linking: 'dynamic' });
}

/** Builds the addon unless a build for this package version and Node ABI is already there. */
export function buildKafkaNative(log: (line: string) => void = console.log): void {
  const stamp = wantedStamp();
  if (existsSync(addon) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    log(`@confluentinc/kafka-javascript: already built (${stamp})`);
    return;
  }
  const nodedir = nodeHeadersDir();
  log(
    `@confluentinc/kafka-javascript: building librdkafka and the addon for Node ${process.version} (2 min)`,
  );
  const nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
  // No parallel gyp jobs: the addon's make targets race librdkafka's generated config.h.
  const build = spawnSync(process.execPath, [nodeGyp, 'rebuild', '--release'], {
    cwd: kafkaNativePackage,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    // Dynamic linking: librdkafka against the system's OpenSSL and zlib instead of downloading their sources.
    env: { ...process.env, CKJS_LINKING: 'dynamic', npm_config_nodedir: nodedir },
  });
  if (build.status !== 0) {
    process.stderr.write(`${build.stdout.slice(-20_000)}\n${build.stderr.slice(-20_000)}\n`);
    throw new Error(
      `building @confluentinc/kafka-javascript failed (exit ${build.status}); it needs a C/C++ toolchain, make, python3 and the OpenSSL and zlib headers`,
    );
  }
  writeFileSync(stampFile, stamp);
  log(`@confluentinc/kafka-javascript: built ${addon}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildKafkaNative();
}
