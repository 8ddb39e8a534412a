import { compileWorkflow } from '../dsl/index.ts';
import { allJobs } from '../jobs/index.ts';
import { typecheckPreflight } from '../scripts/typecheck-preflight.ts';
import { allWorkflows } from '../workflows/index.ts';
import { readPlatformConfig } from './config.ts';
import { AudiencePlatform } from './platform.ts';

/**
 * The whole platform from the stack's configuration, every job and every workflow; returns the stack outputs.
 * `index.ts` exports its result; tests and `npm run plan` run it under mocks.
 */
export function audienceIoProgram() {
  typecheckPreflight(['index.ts']); // Pulumi runs the program with tsx, which strips types unchecked.
  const platform = new AudiencePlatform('audience-io', {
    config: readPlatformConfig(),
    jobs: allJobs,
    workflows: allWorkflows,
    compile: compileWorkflow,
    // The image copies jobs/ and dsl/, so its context is the repository root.
    image: { context: '.', dockerfile: 'images/Dockerfile' },
  });
  return {
    stateMachineArns: platform.stateMachineArns,
    bucketName: platform.bucketName,
    imageUri: platform.imageUri,
    tableName: platform.tableName,
    importStarterArn: platform.importStarterArn,
  };
}
