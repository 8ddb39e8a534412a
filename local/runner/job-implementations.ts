import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyJob } from '../../dsl/index.ts';
import { type RunnableJob, runnableJobs } from '../../jobs/runtime/registry.ts';
import { repoRoot } from '../services/options.ts';

/** True when the image's bundle (the job registry) holds the job; other jobs run locally from their sources. */
export function inJobBundle(job: AnyJob): boolean {
  return runnableJobs[job.name]?.job === job || job.name in runnableJobs;
}

/**
 * The implementation of a job: from the registry the image is built from, or else from the module its
 * declaration names (which must export `run`), so a new job runs locally before it is registered.
 */
export async function runnableJob(job: AnyJob): Promise<RunnableJob> {
  const registered = runnableJobs[job.name];
  if (registered) return registered;
  const module = (await import(pathToFileURL(join(repoRoot, job.module)).href)) as { run?: unknown };
  if (typeof module.run !== 'function') {
    throw new Error(`job '${job.name}': its module ${job.module} exports no run function`);
  }
  return { job, run: module.run as RunnableJob['run'] };
}

/** The local command of a job outside the bundle: its module run with tsx, as the Fargate entry runs a bundled job. */
export function moduleTaskCommand(job: AnyJob): string[] {
  return ['--import', 'tsx', join(repoRoot, 'local', 'runner', 'module-task.ts'), job.name, job.module];
}
