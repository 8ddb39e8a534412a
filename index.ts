// The Pulumi program: everything `pulumi up` creates, from the job declarations and the workflows.
import { audienceIoProgram } from './infra/program.ts';

const outputs = audienceIoProgram();

/** State machine ARN of each workflow, by workflow name. */
export const stateMachineArns = outputs.stateMachineArns;
/** The bucket imports are dropped into (`imports/<userSegmentationId>/<importId>.csv`) and exports written to. */
export const bucketName = outputs.bucketName;
/** The one image every Lambda function and task definition runs. */
export const imageUri = outputs.imageUri;
/** The job-status table. */
export const tableName = outputs.tableName;
/** The state machine EventBridge starts for each uploaded import; it starts the import workflow. */
export const importStarterArn = outputs.importStarterArn;
