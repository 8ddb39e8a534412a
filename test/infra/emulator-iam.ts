import { randomUUID } from 'node:crypto';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { resolveOptions } from '../../local/services/options.ts';

/** Credentials an SDK client signs with. */
export interface EmulatorCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Where the emulator is. */
export interface Emulator {
  readonly endpoint: string;
  readonly region: string;
}

/**
 * Turns moto's IAM enforcement on or off for every later request (its `/moto-api/reset-auth`): on, a request
 * must be signed by a user or assumed role of moto's IAM whose policies allow the action on the resource. moto
 * evaluates S3 requests against real bucket and object ARNs (other services against `*` only).
 */
export async function enforceIam(emulator: Emulator, on: boolean): Promise<void> {
  const response = await fetch(`${emulator.endpoint}/moto-api/reset-auth`, {
    method: 'POST',
    body: on ? '0' : 'inf',
  });
  if (!response.ok) throw new Error(`moto reset-auth answered ${response.status}`);
}

/**
 * Turns enforcement off on the local moto before its readiness is even checked: a test run killed while IAM was
 * enforced would leave moto refusing unsigned requests, the readiness probe included. Answers nothing if moto is down.
 */
export async function releaseStaleEnforcement(): Promise<void> {
  const { host, motoPort } = resolveOptions();
  const endpoint = process.env.AWS_ENDPOINT_URL || `http://${host}:${motoPort}`;
  await enforceIam({ endpoint, region: 'us-east-1' }, false).catch(() => undefined);
}

/** A user allowed everything, to prepare and inspect the emulator while IAM is enforced. */
export async function emulatorAdmin(emulator: Emulator): Promise<EmulatorCredentials> {
  const iam = new IAMClient(emulator);
  try {
    const UserName = `admin-${randomUUID().slice(0, 8)}`;
    await iam.send(new CreateUserCommand({ UserName }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName,
        PolicyName: 'everything',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        }),
      }),
    );
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName }));
    return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  } finally {
    iam.destroy();
  }
}

/** A role whose one inline policy holds exactly `statements`, assumed: what a job's task role would sign with. */
export async function emulatorRole(
  emulator: Emulator,
  name: string,
  statements: readonly object[],
): Promise<EmulatorCredentials> {
  const iam = new IAMClient(emulator);
  const sts = new STSClient(emulator);
  try {
    const RoleName = `${name}-${randomUUID().slice(0, 8)}`;
    const { Role } = await iam.send(
      new CreateRoleCommand({
        RoleName,
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    // A role without statements may do nothing (IAM refuses an empty policy document).
    if (statements.length > 0) {
      await iam.send(
        new PutRolePolicyCommand({
          RoleName,
          PolicyName: 'least-privilege',
          PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
        }),
      );
    }
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: Role!.Arn!, RoleSessionName: 'job' }),
    );
    return {
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: Credentials!.SessionToken!,
    };
  } finally {
    iam.destroy();
    sts.destroy();
  }
}
