import type { AnyJob } from '../../dsl/job.ts';

/**
 * How the one image runs a job: the names the infrastructure, the DSL's bindings and the local runner need, kept
 * apart from the entries themselves so that reading them loads no job code (nor the native Kafka client).
 */

/** Path of the Fargate entry inside the image (relative to the working directory /var/task). */
export const FARGATE_ENTRY = 'dist/jobs.mjs';

/** The container command of a job on Fargate, after the entry point `node`: `['dist/jobs.mjs', <job>]`. */
export function fargateCommand(job: Pick<AnyJob, 'name'>): string[] {
  return [FARGATE_ENTRY, job.name];
}

/** The container entry point the task definition sets (the Lambda base image's own entry point is replaced). */
export const fargateEntryPoint: readonly string[] = ['node'];

/** The export name of a job's handler in the Lambda bundle: the job name in camelCase (`audience-status` → `audienceStatus`). */
export function lambdaExportName(job: Pick<AnyJob, 'name'>): string {
  return job.name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The image command that selects a job's Lambda handler: `dist/lambda.<exportName>`. */
export function lambdaHandlerName(job: Pick<AnyJob, 'name'>): string {
  return `dist/lambda.${lambdaExportName(job)}`;
}
