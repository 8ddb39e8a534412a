// A Fargate job outside the image's bundle, run locally from its sources: `node --import tsx module-task.ts <job> <module>`.
// The module must export `run` and the job's declaration; input comes from the environment, as for the bundle.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyJob } from '../../dsl/index.ts';
import { runFargateJob } from '../../jobs/runtime/fargate.ts';
import type { RunnableJob } from '../../jobs/runtime/registry.ts';
import { repoRoot } from '../services/options.ts';

const [name = '', modulePath = ''] = process.argv.slice(2);
const module = (await import(pathToFileURL(join(repoRoot, modulePath)).href)) as Record<string, unknown>;
const job = Object.values(module).find(
  (value): value is AnyJob =>
    (value as AnyJob | undefined)?.kind === 'job' && (value as AnyJob).name === name,
);
const entries: Record<string, RunnableJob> =
  job && typeof module.run === 'function' ? { [name]: { job, run: module.run as RunnableJob['run'] } } : {};
const { exitCode } = await runFargateJob([name], process.env, undefined, undefined, entries);
process.exit(exitCode);
