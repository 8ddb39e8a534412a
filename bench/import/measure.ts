import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** What one measured child process did. */
export interface ProcessRun {
  exitCode: number | null;
  wallSeconds: number;
  /** Peak resident set size (VmHWM) in MiB, sampled from /proc while the process ran. */
  peakRssMiB: number;
  stdout: string;
  stderr: string;
}

function vmHwmKiB(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs a command, sampling its peak RSS every 50 ms (VmHWM only grows, so the last sample is the peak). */
export function measureProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKiB = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.length > 1_000_000) stdout = stdout.slice(-100_000);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.length > 1_000_000) stderr = stderr.slice(-100_000);
    });
    const sampler = setInterval(() => {
      const kib = child.pid ? vmHwmKiB(child.pid) : undefined;
      if (kib !== undefined) peakKiB = Math.max(peakKiB, kib);
    }, 50);
    child.on('error', reject);
    child.on('exit', (exitCode) => {
      clearInterval(sampler);
      resolve({
        exitCode,
        wallSeconds: Number(process.hrtime.bigint() - started) / 1e9,
        peakRssMiB: Math.round((peakKiB / 1024) * 10) / 10,
        stdout,
        stderr,
      });
    });
  });
}
