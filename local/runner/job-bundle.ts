import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FARGATE_ENTRY } from '../../jobs/runtime/entry-points.ts';
import { buildJobs } from '../../scripts/build-jobs.ts';
import { repoRoot } from '../services/options.ts';

/**
 * The local stand-in of the image's working directory (/var/task): the runner's own bundle, so a build here
 * never races with `npm run build:jobs` writing `dist/`.
 */
export const localTaskDir = join(repoRoot, '.local', 'runner', 'task');

/** Sources the bundle is built from: a change in any of them makes it stale. */
const SOURCE_DIRS = ['jobs', 'dsl'];

let ready: Promise<string> | undefined;

/**
 * Builds the Fargate entry (`<task dir>/dist/jobs.mjs`, as in the image) unless it is newer than every job
 * source; returns the task directory the container command runs in. Built once per process.
 */
export function ensureJobBundle(log: (message: string) => void = () => undefined): Promise<string> {
  ready ??= (async () => {
    const entry = join(localTaskDir, FARGATE_ENTRY);
    if (existsSync(entry) && statSync(entry).mtimeMs > newestSource()) return localTaskDir;
    const began = performance.now();
    await buildJobs(join(localTaskDir, 'dist'));
    log(`built ${FARGATE_ENTRY} in ${Math.round(performance.now() - began)} ms`);
    return localTaskDir;
  })().catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  return ready;
}

function newestSource(): number {
  let newest = statSync(join(repoRoot, 'package-lock.json')).mtimeMs;
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) visit(join(repoRoot, dir));
  return newest;
}
