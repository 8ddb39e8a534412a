import * as pulumi from '@pulumi/pulumi';
import { compileWorkflow } from '../dsl/index.ts';
import { allJobs } from '../jobs/index.ts';
import { allWorkflows } from '../workflows/index.ts';
import { readPlatformConfig } from './config.ts';
import type { JobImageArgs } from './job-image.ts';
import { AudiencePlatform } from './platform.ts';
import { type PreflightInput, preflight } from './preflight.ts';

/** Name of the workflow that turns an uploaded object into an import execution (`workflows/import-starter.ts`). */
export const IMPORT_STARTER = 'import-starter';

/** What a deployment is made of: the configuration, the jobs and workflows, and the image to build. */
export interface AudienceIoInputs<W extends { readonly name: string }> extends PreflightInput<W> {
  readonly image: JobImageArgs;
}

/**
 * Checks everything that can be checked (configuration, workflows, sizes, network, extra checks) and only then
 * creates the platform: a problem stops the program before the first resource registers. Returns the stack
 * outputs.
 */
export async function deployAudienceIo<W extends { readonly name: string }>(inputs: AudienceIoInputs<W>) {
  const plan = await preflight(inputs);
  for (const warning of plan.warnings) pulumi.log.warn(warning);
  const platform = new AudiencePlatform('audience-io', { ...inputs, plan });
  return {
    stateMachineArns: platform.stateMachineArns,
    bucketName: platform.bucketName,
    imageUri: platform.imageUri,
    tableName: platform.tableName,
    importStarterArn: platform.importStarterArn,
    alarmTopicArn: platform.alarmTopicArn,
    dashboardName: platform.dashboardName,
  };
}

/**
 * The whole platform from the stack's configuration, every job and every workflow. `index.ts` exports its
 * result; tests and `npm run plan` run it under mocks.
 */
export function audienceIoProgram() {
  return deployAudienceIo({
    config: readPlatformConfig(),
    jobs: allJobs,
    workflows: allWorkflows,
    compile: compileWorkflow,
    importStarterWorkflowName: IMPORT_STARTER,
    // The image copies jobs/ and dsl/, so its context is the repository root.
    image: { context: '.', dockerfile: 'images/Dockerfile' },
  });
}
