import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isPortOpen, waitUntil } from './network.ts';
import {
  type DetachedCommand,
  isProcessAlive,
  type RunRecord,
  readRunRecord,
  removeRunRecord,
  startDetached,
  stopProcess,
  tailFile,
  writeRunRecord,
} from './processes.ts';

/** The services this module runs. */
export type ServiceName = 'kafka' | 'moto';

/** A port a service listens on, and the environment variable that moves it. */
export interface ServicePort {
  readonly port: number;
  readonly envVar: string;
}

/** A service installed and run as a background process from `.local/`. */
export interface LocalProcessService {
  readonly name: ServiceName;
  readonly host: string;
  /** The port clients use; the run record keeps it. */
  readonly port: ServicePort;
  /** Further ports the service binds (e.g. the Kafka controller), checked free before a start. */
  readonly otherPorts: readonly ServicePort[];
  readonly runFile: string;
  readonly logFile: string;
  /** Text in the process command line that tells our service from an unrelated process with a recycled pid. */
  readonly commandMarker: string;
  /** How long a fresh start may take to answer. */
  readonly readyTimeoutMs: number;
  /** How long a clean shutdown may take before SIGKILL. */
  readonly stopGraceMs: number;
  /** Downloads whatever is not cached yet; does nothing when everything is. */
  install(): Promise<void>;
  /** Writes configuration and one-time state (e.g. formatted storage) before a start; idempotent. */
  prepare(): Promise<void>;
  /** The background command. */
  command(): DetachedCommand;
  /** True once the service answers its clients. */
  answers(): Promise<boolean>;
}

/** What `ensureRunning` did. */
export type EnsureOutcome = 'started' | 'reused';

/**
 * Makes sure the service runs: reuses the one recorded in its run file when that process is alive and
 * answers, otherwise installs, prepares and starts it and waits until it answers. Callers hold the lock.
 */
export async function ensureRunning(
  service: LocalProcessService,
  log: (message: string) => void,
): Promise<EnsureOutcome> {
  const running = await runningRecord(service);
  if (running) {
    if (running.port !== service.port.port) {
      throw new Error(
        `${service.name} from ${service.runFile} already runs on port ${running.port} (pid ${running.pid}), ` +
          `but port ${service.port.port} was asked for: stop it first (npm run services down)`,
      );
    }
    await waitForAnswer(service, running.pid, service.readyTimeoutMs);
    return 'reused';
  }
  await removeRunRecord(service.runFile);
  for (const { port, envVar } of [service.port, ...service.otherPorts]) {
    if (await isPortOpen(service.host, port)) {
      throw new Error(
        `Cannot start ${service.name}: port ${port} on ${service.host} is already used by another program; ` +
          `free it or choose another port with ${envVar}`,
      );
    }
  }
  await service.install();
  await service.prepare();
  const command = service.command();
  await mkdir(dirname(service.logFile), { recursive: true });
  // Appended, so the log still shows why an earlier run stopped.
  await appendFile(
    service.logFile,
    `--- ${new Date().toISOString()} ${command.command} ${command.args.join(' ')}\n`,
  );
  const startedAt = Date.now();
  const pid = await startDetached(command);
  await writeRunRecord(service.runFile, {
    pid,
    port: service.port.port,
    logFile: service.logFile,
    startedAt: new Date(startedAt).toISOString(),
  });
  try {
    await waitForAnswer(service, pid, service.readyTimeoutMs);
  } catch (error) {
    await stopProcess(pid, service.stopGraceMs);
    await removeRunRecord(service.runFile);
    throw error;
  }
  log(
    `${service.name} ready on ${service.host}:${service.port.port} (pid ${pid}, ${Date.now() - startedAt} ms)`,
  );
  return 'started';
}

/** Stops the service recorded in its run file, if it runs; returns whether something was stopped. */
export async function stopRunning(service: LocalProcessService): Promise<boolean> {
  const running = await runningRecord(service);
  await removeRunRecord(service.runFile);
  if (!running) return false;
  await stopProcess(running.pid, service.stopGraceMs);
  return true;
}

/** The run record of the service when its process is alive, else undefined. */
export async function runningRecord(service: LocalProcessService): Promise<RunRecord | undefined> {
  const record = await readRunRecord(service.runFile);
  return record && isProcessAlive(record.pid, service.commandMarker) ? record : undefined;
}

async function waitForAnswer(service: LocalProcessService, pid: number, timeoutMs: number): Promise<void> {
  await waitUntil(
    `${service.name} on ${service.host}:${service.port.port} (log: ${service.logFile})`,
    service.answers,
    {
      timeoutMs,
      intervalMs: 300,
      abort: async () => {
        if (isProcessAlive(pid, service.commandMarker)) return;
        throw new Error(
          `${service.name} (pid ${pid}) exited before answering on ${service.host}:${service.port.port}; ` +
            `last lines of ${service.logFile}:\n${await tailFile(service.logFile, 30)}`,
        );
      },
    },
  );
}
