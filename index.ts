// The Pulumi program: everything `pulumi up` creates, from the job declarations and the workflows.
// First import: it checks the Node.js version before the rest of the program is evaluated.
import './infra/node-check.ts';
import { audienceIoProgram } from './infra/program.ts';

// Top-level await: the preflight's checks (some ask AWS about existing subnets) finish before anything registers.
const outputs = await audienceIoProgram();

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
/** The SNS topic every alarm notifies (subscribe to it, or set `audience-io:alarmEmail`). */
export const alarmTopicArn = outputs.alarmTopicArn;
/** The CloudWatch dashboard with executions, durations and rows/s per workflow. */
export const dashboardName = outputs.dashboardName;
