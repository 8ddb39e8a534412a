import type { AnyJob } from '../../dsl/index.ts';
import { allJobs } from '../../jobs/index.ts';
import { placeholderResources } from '../../workflows/placeholder-bindings.ts';

/** Which job a compiled Task state calls, found from the ARNs the placeholder bindings gave it. */
export interface TaskTargets {
  /** The job behind a Lambda function ARN (or name), if any. */
  lambdaJob(functionName: string): AnyJob | undefined;
  /** The job behind an ECS task definition ARN, if any. */
  fargateJob(taskDefinition: string): AnyJob | undefined;
}

/**
 * Indexes jobs by the function and task definition ARNs of the bindings the workflows are compiled with: every
 * registered job, and `more` (the jobs of the workflows being run, registered or not).
 */
export function taskTargets(bindings = placeholderResources(), more: readonly AnyJob[] = []): TaskTargets {
  const functions = new Map<string, AnyJob>();
  const taskDefinitions = new Map<string, AnyJob>();
  for (const job of [...(allJobs as readonly AnyJob[]), ...more]) {
    const runsOn = job.runsOn as readonly string[];
    if (runsOn.includes('lambda')) {
      const arn = String(bindings.lambda(job).functionArn);
      functions.set(arn, job);
      // A function name alone (the last ARN segment) is accepted by lambda:invoke too.
      functions.set(arn.slice(arn.lastIndexOf(':') + 1), job);
    }
    if (runsOn.includes('fargate')) taskDefinitions.set(String(bindings.fargate(job).taskDefinition), job);
  }
  return {
    lambdaJob: (functionName) => functions.get(stripQualifier(functionName)),
    fargateJob: (taskDefinition) => taskDefinitions.get(taskDefinition),
  };
}

/** `arn:…:function:name:alias` → `arn:…:function:name` (a version or alias calls the same code). */
function stripQualifier(functionName: string): string {
  const parts = functionName.split(':');
  return parts.length === 8 ? parts.slice(0, 7).join(':') : functionName;
}
