import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive } from './processes.ts';

/**
 * Runs `action` while holding an exclusive lock file (created with O_EXCL, holding the owner's pid), so two
 * processes never install, format or start the same service at once. A lock whose owner died is taken over.
 */
export async function withFileLock<T>(
  lockFile: string,
  timeoutMs: number,
  action: () => Promise<T>,
): Promise<T> {
  await mkdir(dirname(lockFile), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await tryAcquire(lockFile)) break;
    const owner = await readOwner(lockFile);
    if (owner !== undefined && !isProcessAlive(owner)) {
      await takeOverStale(lockFile, owner);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for lock ${lockFile} held by pid ${owner}`);
    }
    await sleep(250);
  }
  try {
    return await action();
  } finally {
    await unlink(lockFile).catch(() => undefined);
  }
}

async function tryAcquire(lockFile: string): Promise<boolean> {
  try {
    const handle = await open(lockFile, 'wx');
    await handle.writeFile(String(process.pid));
    await handle.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function readOwner(lockFile: string): Promise<number | undefined> {
  const text = await readFile(lockFile, 'utf8').catch(() => undefined);
  // An empty file is a lock being written right now: treat it as held by a live owner.
  if (text === undefined || text.trim() === '') return undefined;
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

async function takeOverStale(lockFile: string, stalePid: number): Promise<void> {
  // Rename is atomic: of several waiters only one moves the stale file away.
  const aside = `${lockFile}.stale-${process.pid}`;
  try {
    await rename(lockFile, aside);
  } catch {
    return;
  }
  const moved = await readOwner(aside);
  if (moved !== stalePid && moved !== undefined && isProcessAlive(moved)) {
    // Another waiter had already replaced the stale lock with its own: give it back.
    await rename(aside, lockFile).catch(() => undefined);
    return;
  }
  await unlink(aside).catch(() => undefined);
}
