// The Pulumi program: everything `pulumi up` creates, from the job declarations and the workflows.
import { compileWorkflow } from './dsl/index.ts';
import { readPlatformConfig } from './infra/config.ts';
import { AudiencePlatform } from './infra/platform.ts';
import { allJobs } from './jobs/index.ts';
import { allWorkflows } from './workflows/index.ts';

const platform = new AudiencePlatform('audience-io', {
  config: readPlatformConfig(),
  jobs: allJobs,
  workflows: allWorkflows,
  compile: compileWorkflow,
  // The image copies jobs/ and dsl/, so its context is the repository root.
  image: { context: '.', dockerfile: 'images/Dockerfile' },
});

/** State machine ARN of each workflow, by workflow name. */
export const stateMachineArns = platform.stateMachineArns;
/** The bucket imports are dropped into (`imports/<userSegmentationId>/<importId>.csv`) and exports written to. */
export const bucketName = platform.bucketName;
/** The one image every Lambda function and task definition runs. */
export const imageUri = platform.imageUri;
/** The job-status table. */
export const tableName = platform.tableName;
/** The state machine EventBridge starts for each uploaded import; it starts the import workflow. */
export const importStarterArn = platform.importStarterArn;
