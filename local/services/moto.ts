import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalProcessService } from './local-process.ts';
import type { ResolvedOptions } from './options.ts';
import { runCommand } from './processes.ts';
import { MOTO_VERSION } from './versions.ts';

/**
 * moto's server, wrapped to handle one request at a time: its threaded server lets two racing DynamoDB
 * conditional writes both succeed, which real DynamoDB never does (see the script).
 */
const SERIALIZED_SERVER = fileURLToPath(new URL('./moto_serialized_server.py', import.meta.url));

/** The pip requirement installed into the virtualenv. */
export const MOTO_REQUIREMENT = `moto[server]==${MOTO_VERSION}`;

/** The local moto server (S3, DynamoDB and the other AWS APIs) run from `<stateDir>/moto-venv`. */
export function localMoto(options: ResolvedOptions): LocalProcessService {
  const venvDir = join(options.stateDir, 'moto-venv');
  const runDir = join(options.stateDir, 'moto');
  const python = join(venvDir, 'bin', 'python');
  const logFile = join(runDir, 'moto.log');
  return {
    name: 'moto',
    host: options.host,
    port: { port: options.motoPort, envVar: 'LOCAL_MOTO_PORT' },
    otherPorts: [],
    runFile: join(runDir, 'moto.pid.json'),
    logFile,
    commandMarker: SERIALIZED_SERVER,
    readyTimeoutMs: 60_000,
    stopGraceMs: 5_000,
    install: async () => {
      await installMoto(venvDir, options.log);
    },
    prepare: async () => {},
    command: () => ({
      command: python,
      args: [SERIALIZED_SERVER, options.host, String(options.motoPort)],
      cwd: runDir,
      env: { ...process.env, S3_UPLOAD_PART_MIN_SIZE: String(options.s3UploadPartMinSize) },
      logFile,
    }),
    answers: () => httpAnswers(`http://${options.host}:${options.motoPort}/`),
  };
}

/**
 * Creates the virtualenv and installs moto into it, unless a previous install of the same requirement
 * finished there (a marker file holds it; a half-made virtualenv is rebuilt). Returns whether it installed.
 */
export async function installMoto(venvDir: string, log: (message: string) => void): Promise<boolean> {
  const marker = join(venvDir, '.installed-requirement');
  if ((await readFile(marker, 'utf8').catch(() => '')) === MOTO_REQUIREMENT) return false;
  log(`installing ${MOTO_REQUIREMENT} into ${venvDir} (first run only)`);
  if (existsSync(venvDir)) await rm(venvDir, { recursive: true, force: true });
  const python = process.env.LOCAL_SERVICES_PYTHON ?? 'python3';
  await runCommand(python, ['-m', 'venv', venvDir], { cwd: process.cwd() });
  await runCommand(
    join(venvDir, 'bin', 'pip'),
    ['install', '--quiet', '--disable-pip-version-check', MOTO_REQUIREMENT],
    { cwd: venvDir },
  );
  await writeFile(marker, MOTO_REQUIREMENT);
  return true;
}

/** True when an HTTP GET of `url` gets any answer that is not a server error within two seconds. */
export async function httpAnswers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.status < 500;
  } catch {
    return false;
  }
}
