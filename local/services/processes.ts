import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What a started background service leaves on disk so later processes can find, reuse or stop it. */
export interface RunRecord {
  readonly pid: number;
  readonly port: number;
  readonly logFile: string;
  readonly startedAt: string;
}

/**
 * True when `pid` is a live (not zombie) process; with `commandMarker`, also when its command line contains
 * the marker, so a pid recycled by an unrelated program after a reboot is not mistaken for our service.
 */
export function isProcessAlive(pid: number, commandMarker?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/^\d+ \(.*\) Z /s.test(stat)) return false;
    if (commandMarker === undefined) return true;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(commandMarker);
  } catch {
    // No /proc (not Linux): trust the signal probe.
    return commandMarker === undefined || process.platform !== 'linux';
  }
}

/** Reads a run record, or undefined when there is none or it is unreadable. */
export async function readRunRecord(file: string): Promise<RunRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(file, 'utf8')) as Partial<RunRecord>;
    if (typeof record.pid !== 'number' || typeof record.port !== 'number') return undefined;
    return record as RunRecord;
  } catch {
    return undefined;
  }
}

/** Writes a run record. */
export async function writeRunRecord(file: string, record: RunRecord): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
}

/** Removes a run record. */
export async function removeRunRecord(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** How to start a background process. */
export interface DetachedCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Receives stdout and stderr (appended). */
  readonly logFile: string;
}

/**
 * Starts a process in its own process group, output appended to its log file, not tied to this process's
 * lifetime (it keeps running after we exit). Returns its pid.
 */
export async function startDetached(cmd: DetachedCommand): Promise<number> {
  await mkdir(dirname(cmd.logFile), { recursive: true });
  const logFd = openSync(cmd.logFile, 'a');
  try {
    const child = spawn(cmd.command, cmd.args, {
      cwd: cmd.cwd,
      env: cmd.env,
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
    const pid = await new Promise<number>((resolvePid, reject) => {
      child.once('error', (error) => reject(new Error(`Cannot start ${cmd.command}: ${error.message}`)));
      child.once('spawn', () => resolvePid(child.pid!));
    });
    child.unref();
    return pid;
  } finally {
    closeSync(logFd);
  }
}

/**
 * Stops a process and its group: SIGTERM (a clean shutdown), then SIGKILL after `graceMs`.
 * Returns once the process is gone.
 */
export async function stopProcess(pid: number, graceMs: number): Promise<void> {
  if (!signalGroup(pid, 'SIGTERM')) return;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return;
    await sleep(100);
  }
  signalGroup(pid, 'SIGKILL');
  while (isProcessAlive(pid)) await sleep(50);
}

function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    // A negative pid signals the whole group the detached process leads.
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/** Runs a command to completion; on a non-zero exit throws with the command line and its output's tail. */
export async function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<string> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await new Promise<number | null>((resolveCode, reject) => {
    child.once('error', (error) => reject(new Error(`Cannot run ${command}: ${error.message}`)));
    child.once('close', resolveCode);
  });
  if (code !== 0) {
    throw new Error(
      `Command failed (exit ${code}) in ${options.cwd}: ${command} ${args.join(' ')}\n${lastLines(output, 30)}`,
    );
  }
  return output;
}

/** The last `count` lines of a file, or '' when it cannot be read. */
export async function tailFile(file: string, count: number): Promise<string> {
  return lastLines(await readFile(file, 'utf8').catch(() => ''), count);
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
