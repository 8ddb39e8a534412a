// What the job-needs test shares outside its suite: the roles the platform deploys, matching a recorded request to
// a grant, and the fault and access checks.
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { expect } from 'chai';
import { compileWorkflow } from '../../dsl/index.ts';
import type { AnyJob, JobNeed } from '../../dsl/job.ts';
import type { NeedGrant } from '../../infra/job-permissions.ts';
import { compileForUsage } from '../../infra/workflow-usage.ts';
import { allJobs as declaredJobs } from '../../jobs/index.ts';
import type { JobDeps } from '../../jobs/runtime/clients.ts';
import { allWorkflows } from '../../workflows/index.ts';
import { uniqueId } from '../jobs/support.ts';
import type { Emulator, EmulatorCredentials } from './emulator-iam.ts';
import type { SdkCall } from './sdk-calls.ts';

export const allJobs: readonly AnyJob[] = declaredJobs;
/** The roles the platform deploys: one per executor some workflow runs a job on (`lambda` or a `task` role). */
const { usage } = compileForUsage({
  jobs: allJobs,
  workflows: allWorkflows,
  compile: compileWorkflow,
  importStarterWorkflowName: 'import-starter',
});
export const deployedRoles = allJobs.flatMap((job) =>
  [...(usage.executors.get(job.name) ?? [])].map((executor) => ({
    job,
    role: executor === 'lambda' ? ('lambda' as const) : ('task' as const),
  })),
);

/** Whether a grant of one of the job's needs authorises the call (operation, and key prefix in the bucket). */
export function grantFor(call: SdkCall, grants: readonly { need: JobNeed; grant: NeedGrant }[]) {
  return grants.find(
    ({ grant }) =>
      grant.operations.includes(call.operation) &&
      (grant.keyPrefix === undefined ||
        call.resource.split('/').slice(1).join('/').startsWith(grant.keyPrefix)),
  );
}

/** Makes S3 refuse to complete any multipart upload of these deps, so the uploader must abort it. */
export function failCompleteMultipartUpload(deps: JobDeps): void {
  deps.s3.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'CompleteMultipartUploadCommand') throw new Error('injected: S3 failed');
      return next(args);
    },
    { step: 'build', name: 'failCompleteMultipartUpload' },
  );
}

/** Expects the request to be refused by IAM. */
export async function expectAccessDenied(request: Promise<unknown>, what: string): Promise<void> {
  const error = await request.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error?.name, `${what} was allowed`).to.equal('AccessDenied');
}

/** Creates a Kafka credentials secret in the emulator and returns its ARN. */
export async function createKafkaSecret(emulator: Emulator): Promise<string> {
  const secrets = new SecretsManagerClient(emulator);
  try {
    const created = await secrets.send(
      new CreateSecretCommand({ Name: uniqueId('kafka'), SecretString: '{"username":"io","password":"pw"}' }),
    );
    return created.ARN!;
  } finally {
    secrets.destroy();
  }
}

/** Waits up to 20 s for `operation` among the recorded calls (lib-storage aborts once its part uploads settle). */
export async function waitForCall(recorded: readonly SdkCall[], operation: string): Promise<void> {
  for (let waited = 0; waited < 20_000 && !recorded.some((c) => c.operation === operation); waited += 200)
    await new Promise((resolve) => setTimeout(resolve, 200));
}

/** Makes the default credentials (clients a job builds itself) these; returns what puts the previous ones back. */
export function useCredentialsInEnv(credentials: EmulatorCredentials): () => void {
  const saved = [
    ['AWS_ACCESS_KEY_ID', process.env.AWS_ACCESS_KEY_ID, credentials.accessKeyId],
    ['AWS_SECRET_ACCESS_KEY', process.env.AWS_SECRET_ACCESS_KEY, credentials.secretAccessKey],
  ] as const;
  for (const [name, , value] of saved) process.env[name] = value;
  return () => {
    for (const [name, previous] of saved) {
      if (previous === undefined) delete process.env[name];
      else process.env[name] = previous;
    }
  };
}
