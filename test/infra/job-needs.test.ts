import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import type { AnyJob } from '../../dsl/job.ts';
import { grantsOf, needStatements } from '../../infra/job-permissions.ts';
import { resolved } from '../../infra/plan-run.ts';
import type { JobDeps } from '../../jobs/runtime/clients.ts';
import { runFargateJob } from '../../jobs/runtime/fargate.ts';
import { secretsManagerReader, withKafkaCredentials } from '../../jobs/runtime/kafka-secret.ts';
import { memoryLogger } from '../../jobs/runtime/logger.ts';
import { runnableJobs } from '../../jobs/runtime/registry.ts';
import { writeRejectingShards } from '../jobs/shard-fixtures.ts';
import { createBucket, fargateEnv, localJobDeps, putObject, uniqueId } from '../jobs/support.ts';
import { useLocalServices } from '../support/services.ts';
import {
  type Emulator,
  type EmulatorCredentials,
  emulatorAdmin,
  emulatorRole,
  enforceIam,
  releaseStaleEnforcement,
} from './emulator-iam.ts';
import {
  allJobs,
  createKafkaSecret,
  deployedRoles,
  expectAccessDenied,
  failCompleteMultipartUpload,
  grantFor,
  useCredentialsInEnv,
  waitForCall,
} from './job-needs-support.ts';
import { recordCalls, type SdkCall } from './sdk-calls.ts';

/**
 * Every job runs its code paths against the emulator (moto) with IAM enforced: S3 requests are signed by a role
 * holding exactly the job's derived statements, so a missing grant fails the job; every request is recorded, so
 * a grant no code path uses fails the coverage check. (moto evaluates DynamoDB and Secrets Manager requests against
 * `*` only: those are signed by an administrator and checked by the recording alone.)
 */
describe("infra: every job's needs are honest, exercised against the emulator (moto, IAM enforced)", function () {
  // A job left hanging by a missing grant fails its test instead of stalling the run.
  this.timeout(120_000);
  const calls = new Map<string, SdkCall[]>(allJobs.map((job) => [job.name, []]));
  /** Requests only a job's Lambda entry sends (reading the Kafka secret), by job name. */
  const lambdaEntryCalls = new Map<string, SdkCall[]>(allJobs.map((job) => [job.name, []]));
  const callsOf = (job: AnyJob, role: 'lambda' | 'task') => [
    ...calls.get(job.name)!,
    ...(role === 'lambda' ? lambdaEntryCalls.get(job.name)! : []),
  ];
  const credentials = new Map<string, EmulatorCredentials>();
  let emulator: Emulator;
  let base: JobDeps;
  let bucket: string;
  let admin: EmulatorCredentials;
  let secretArn: string;
  const segment = uniqueId('seg');
  const importId = uniqueId('imp');
  let restoreCredentials: (() => void) | undefined;

  /** The job's deps: S3 signed by its own role, DynamoDB by the administrator, every request recorded. */
  function depsOf(job: string): JobDeps {
    const recorded = calls.get(job)!;
    return {
      ...base,
      log: memoryLogger(job),
      s3: recordCalls(
        new S3Client({ ...emulator, forcePathStyle: true, credentials: credentials.get(job)! }),
        recorded,
      ),
      dynamodb: recordCalls(new DynamoDBClient({ ...emulator, credentials: admin }), recorded),
    };
  }

  before(async function () {
    // The first start installs Kafka and moto.
    this.timeout(15 * 60_000);
    await releaseStaleEnforcement();
    const services = await useLocalServices();
    emulator = { endpoint: services.awsEndpoint, region: services.region };
    base = await localJobDeps({ endMarkerTimeoutMs: 3000 });
    bucket = await createBucket(base.s3);
    secretArn = await createKafkaSecret(emulator);
    const targets = {
      bucketArn: `arn:aws:s3:::${bucket}`,
      tableArn: `arn:aws:dynamodb:${emulator.region}:123456789012:table/${base.config.statusTable}`,
      kafkaSecretArn: secretArn,
    };
    for (const { job, role } of deployedRoles) {
      const statements = await resolved(needStatements(job.needs, targets, role));
      credentials.set(job.name, await emulatorRole(emulator, job.name, statements as object[]));
    }
    admin = await emulatorAdmin(emulator);
    await putObject(
      base.s3,
      bucket,
      `imports/${segment}/${importId}.csv`,
      'user_id,plan\nu1,pro\nu2,free,extra\nu3,free\n',
    );
    const big = ['user_id,blob', ...Array.from({ length: 40 }, (_, i) => `b${i},${'x'.repeat(240_000)}`)];
    await putObject(base.s3, bucket, `imports/${segment}/big-${importId}.csv`, `${big.join('\n')}\n`);
    await enforceIam(emulator, true);
    // Clients a job builds itself (the Kafka secret reader) sign with the default credentials.
    restoreCredentials = useCredentialsInEnv(admin);
  });

  /** Runs `step` with IAM not enforced, as the test's own preparation. */
  async function withIamOff<T>(step: () => Promise<T>): Promise<T> {
    await enforceIam(emulator, false);
    try {
      return await step();
    } finally {
      await enforceIam(emulator, true);
    }
  }

  after(async () => {
    await enforceIam(emulator, false);
    restoreCredentials?.();
  });

  it('import-key reads a key without any AWS request', async () => {
    const s3Key = `imports/${segment}/${importId}.csv`;
    const output = await runnableJobs['import-key']!.run(
      { s3Bucket: bucket, s3Key } as never,
      depsOf('import-key'),
    );
    expect(output).to.deep.include({ importId, userSegmentationId: segment });
  });

  it('audience-status records a transition (read, then conditional update)', async () => {
    const output = await runnableJobs['audience-status']!.run(
      {
        jobId: importId,
        jobKind: 'import',
        userSegmentationId: segment,
        event: 'start_importing',
        assumedAfterState: 'importing',
        executionArn: 'arn:aws:states:us-east-1:123456789012:execution:import:x',
      } as never,
      depsOf('audience-status'),
    );
    expect(output).to.deep.include({ status: 'importing', changed: true });
  });

  it('import-audience imports through its Fargate entry, rejects a row, and prints its metrics before the summary', async () => {
    const lines: string[] = [];
    const env = fargateEnv(base, {
      IMPORT_ID: importId,
      USER_SEGMENTATION_ID: segment,
      S3_BUCKET: bucket,
      S3_KEY: `imports/${segment}/${importId}.csv`,
    });
    const { exitCode, summary } = await runFargateJob(
      ['import-audience'],
      env,
      (l) => lines.push(l),
      () => depsOf('import-audience'),
    );
    expect(exitCode, JSON.stringify(summary)).to.equal(0);
    const output = summary.output as Record<string, number>;
    expect(output).to.deep.include({ rowsRead: 3, rowsProduced: 2, rowsRejected: 1 });
    const metrics = JSON.parse(lines.at(-2)!) as Record<string, unknown>;
    expect(metrics).to.deep.include({
      Job: 'import-audience',
      RowsRead: 3,
      RowsProduced: 2,
      RowsRejected: 1,
      BytesRead: output.bytesRead,
      Seconds: output.seconds,
    });
    expect(
      (metrics._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0]?.Namespace,
    ).to.equal('audience-io/local');
  });

  it('import-audience names a missing object SourceNotFound', async () => {
    const input = {
      importId: uniqueId('gone'),
      userSegmentationId: segment,
      s3Bucket: bucket,
      s3Key: `imports/${segment}/gone.csv`,
    };
    const error = await runnableJobs['import-audience']!.run(
      { ...input, maxRejectedRows: 10 } as never,
      depsOf('import-audience'),
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).to.equal('SourceNotFound');
  });

  it('import-audience aborts its rejects upload when S3 fails to complete it (lib-storage cleans up)', async () => {
    // 6,000 rejected rows of ~1 KiB: the rejects file needs a multipart upload, which S3 then fails to complete.
    // (A failed part instead leaves the import waiting forever for the rejects stream to drain: reported.)
    const rows = Array.from({ length: 6000 }, (_, i) => `r${i},free,${'y'.repeat(1100)}`);
    const key = `imports/${segment}/rejects-${importId}.csv`;
    await withIamOff(() => putObject(base.s3, bucket, key, `user_id,plan\n${rows.join('\n')}\n`));
    const deps = depsOf('import-audience');
    failCompleteMultipartUpload(deps);
    const error = await runnableJobs['import-audience']!.run(
      {
        importId: `rejects-${importId}`,
        userSegmentationId: segment,
        s3Bucket: bucket,
        s3Key: key,
        maxRejectedRows: 10_000,
      } as never,
      deps,
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.contain('injected: S3 failed');
    expect(calls.get('import-audience')!.map((c) => c.operation)).to.include('S3.AbortMultipartUpload');
  });

  it('plan-import reads the size, ETag and first bytes of the import object, and names a missing one', async () => {
    const plan = await runnableJobs['plan-import']!.run(
      { importId, s3Bucket: bucket, s3Key: `imports/${segment}/${importId}.csv` } as never,
      depsOf('plan-import'),
    );
    expect(plan).to.deep.include({ executor: 'lambda', compressed: false });
    const missing = await runnableJobs['plan-import']!.run(
      { importId, s3Bucket: bucket, s3Key: `imports/${segment}/gone.csv` } as never,
      depsOf('plan-import'),
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(missing?.name).to.equal('SourceNotFound');
  });

  it('close-sharded-import reads the shards, their files under rejects/, and writes the import; a failed upload is aborted', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'needs-shards-'));
    // Rejects parts of ~6.6 MB in all: the merged file needs a multipart upload.
    const shardsOf = (id: string) =>
      withIamOff(() =>
        writeRejectingShards(base, bucket, scratch, { importId: id, segment, rowsPerShard: 3000 }),
      );
    const closed = await runnableJobs['close-sharded-import']!.run(
      (await shardsOf(uniqueId('sharded'))) as never,
      depsOf('close-sharded-import'),
    );
    expect(closed).to.deep.include({ outcome: 'complete', rowsRejected: 6000 });
    const deps = depsOf('close-sharded-import');
    failCompleteMultipartUpload(deps);
    const error = await runnableJobs['close-sharded-import']!.run(
      (await shardsOf(uniqueId('sharded'))) as never,
      deps,
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.contain('injected: S3 failed');
    expect(calls.get('close-sharded-import')!.map((c) => c.operation)).to.include('S3.AbortMultipartUpload');
  });

  it('send-end-marker reads the counts, and its Lambda entry reads the Kafka credentials secret', async () => {
    const output = await runnableJobs['send-end-marker']!.run(
      { jobId: importId, jobKind: 'import', userSegmentationId: segment } as never,
      depsOf('send-end-marker'),
    );
    expect(output).to.deep.include({ rowsProduced: 2, rowsRejected: 1 });
    const reader = secretsManagerReader(base.config);
    const config = await withKafkaCredentials(
      {
        ...base.config,
        kafkaSasl: { mechanism: 'scram-sha-512', username: '', password: '' },
        kafkaSaslSecretArn: secretArn,
      },
      (arn) => {
        calls.get('send-end-marker')!.push({ operation: 'SecretsManager.GetSecretValue', resource: arn });
        return reader(arn);
      },
    );
    expect(config.kafkaSasl).to.deep.include({ username: 'io', password: 'pw' });
  });

  it('every other Lambda job that talks to Kafka reads the credentials secret through the same Lambda entry', async () => {
    const reader = secretsManagerReader(base.config);
    const lambdaKafkaJobs = deployedRoles.filter(
      ({ job, role }) => role === 'lambda' && job.needs.includes('kafka') && job.name !== 'send-end-marker',
    );
    expect(lambdaKafkaJobs.map(({ job }) => job.name)).to.include('import-audience');
    for (const { job } of lambdaKafkaJobs) {
      const config = await withKafkaCredentials(
        {
          ...base.config,
          kafkaSasl: { mechanism: 'scram-sha-512', username: '', password: '' },
          kafkaSaslSecretArn: secretArn,
        },
        (arn) => {
          lambdaEntryCalls.get(job.name)!.push({ operation: 'SecretsManager.GetSecretValue', resource: arn });
          return reader(arn);
        },
      );
      expect(config.kafkaSasl, job.name).to.deep.include({ username: 'io', password: 'pw' });
    }
  });

  it('export-audience writes the import under exports/', async () => {
    const output = await runnableJobs['export-audience']!.run(
      {
        exportId: uniqueId('exp'),
        userSegmentationId: segment,
        importId,
        s3Bucket: bucket,
        s3Key: `exports/${importId}.csv`,
      } as never,
      depsOf('export-audience'),
    );
    expect(output).to.deep.include({ rowsExported: 2 });
  });

  it('export-audience aborts its multipart upload when the import never ends', async () => {
    // An import of 9.6 MB whose end marker never comes: the export uploads an 8 MiB part, then gives up.
    const bigImport = `big-${importId}`;
    await runnableJobs['import-audience']!.run(
      {
        importId: bigImport,
        userSegmentationId: segment,
        s3Bucket: bucket,
        s3Key: `imports/${segment}/${bigImport}.csv`,
        maxRejectedRows: 0,
      } as never,
      depsOf('import-audience'),
    );
    const error = await runnableJobs['export-audience']!.run(
      {
        exportId: uniqueId('exp'),
        userSegmentationId: segment,
        importId: bigImport,
        s3Bucket: bucket,
        s3Key: `exports/${bigImport}.csv`,
      } as never,
      depsOf('export-audience'),
    ).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.name).to.equal('EndMarkerNotFound');
    // lib-storage sends the abort once its part uploads have settled.
    const recorded = calls.get('export-audience')!;
    await waitForCall(recorded, 'S3.AbortMultipartUpload');
    expect(recorded.map((c) => c.operation)).to.include.members([
      'S3.CreateMultipartUpload',
      'S3.UploadPart',
      'S3.AbortMultipartUpload',
    ]);
  });

  it("no job sends a request its needs do not grant, on the grant's prefix", () => {
    for (const { job, role } of deployedRoles) {
      const grants = grantsOf(job.needs, role);
      // A task's Kafka credentials come from its execution role; its code never reads the secret.
      for (const call of callsOf(job, role)) {
        expect(
          grantFor(call, grants),
          `${job.name} (${role}) sent ${call.operation} on ${call.resource}`,
        ).not.to.equal(undefined);
      }
    }
  });

  it('every action a job role holds is used by one of its code paths (no unused grant)', () => {
    for (const { job, role } of deployedRoles) {
      for (const { need, grant } of grantsOf(job.needs, role)) {
        const used = callsOf(job, role).some((call) => grantFor(call, [{ need, grant }]));
        expect(
          used,
          `${job.name} (${role}) holds ${grant.actions.join(', ')} for ${need} but sent none of ${grant.operations.join(', ')}`,
        ).to.equal(true);
      }
    }
  });

  it('S3 enforces the prefixes: the import may not write exports/ or imports/, the export may not write imports/ or read exports/', async () => {
    const s3 = (job: string) =>
      new S3Client({ ...emulator, forcePathStyle: true, credentials: credentials.get(job)! });
    const put = (job: string, key: string) =>
      s3(job).send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }));
    await expectAccessDenied(put('import-audience', 'exports/x.csv'), 'import writing exports/');
    await expectAccessDenied(put('import-audience', `imports/${segment}/x.csv`), 'import writing imports/');
    await expectAccessDenied(
      put('export-audience', `imports/${segment}/x.csv`),
      'export writing imports/ (it would start an import)',
    );
    await expectAccessDenied(put('export-audience', 'rejects/x.csv'), 'export writing rejects/');
    await expectAccessDenied(
      s3('export-audience').send(new GetObjectCommand({ Bucket: bucket, Key: `exports/${importId}.csv` })),
      'export reading exports/',
    );
    await expectAccessDenied(put('send-end-marker', 'exports/x.csv'), 'send-end-marker writing anywhere');
  });
});
