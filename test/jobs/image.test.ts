import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { expect } from 'chai';
import { allJobs } from '../../jobs/index.ts';
import { closeJobDeps } from '../../jobs/runtime/clients.ts';
import {
  FARGATE_ENTRY,
  fargateCommand,
  lambdaExportName,
  lambdaHandlerName,
} from '../../jobs/runtime/entry-points.ts';
import { buildJobs } from '../../scripts/build-jobs.ts';
import { createBucket, localJobDeps, putObject } from './support.ts';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const dockerfile = readFileSync(join(root, 'images/Dockerfile'), 'utf8');

describe('the job image', function () {
  this.timeout(120_000);
  let out: string;
  before(async () => {
    out = mkdtempSync(join(tmpdir(), 'jobs-build-'));
    await buildJobs(join(out, 'dist'));
  });
  after(() => rmSync(out, { recursive: true, force: true }));

  it('builds a Lambda bundle exporting the handler each Lambda job is configured with', async () => {
    const lambdaJobs = allJobs.filter((job) => (job.runsOn as readonly string[]).includes('lambda'));
    expect(lambdaJobs.map((job) => job.name)).to.include.members(['audience-status', 'send-end-marker']);
    const bundle = (await import(pathToFileURL(join(out, 'dist/lambda.mjs')).href)) as Record<
      string,
      unknown
    >;
    for (const job of lambdaJobs) {
      const handler = lambdaHandlerName(job);
      expect(handler).to.equal(`dist/lambda.${lambdaExportName(job)}`);
      const [file, exportName] = [
        handler.slice(0, handler.lastIndexOf('.')),
        handler.slice(handler.lastIndexOf('.') + 1),
      ];
      expect(existsSync(join(out, `${file}.mjs`)), file).to.equal(true);
      expect(bundle[exportName], handler).to.be.a('function');
    }
  });

  it('has a Lambda handler that answers an invalid event with a named InvalidInput error', async () => {
    const bundle = (await import(pathToFileURL(join(out, 'dist/lambda.mjs')).href)) as Record<
      string,
      (event: unknown) => Promise<unknown>
    >;
    try {
      await bundle.audienceStatus!({ jobId: '' });
      expect.fail('expected InvalidInput');
    } catch (error) {
      expect((error as Error).name).to.equal('InvalidInput');
      expect((error as Error).message).to.match(/jobId: .*event: /);
    }
  });

  it('builds the Fargate entry that runs every Fargate job command and exits 2 on misuse', () => {
    const fargateJobs = allJobs.filter((job) => (job.runsOn as readonly string[]).includes('fargate'));
    for (const job of fargateJobs) {
      const [entry, name] = fargateCommand(job);
      expect(entry).to.equal(FARGATE_ENTRY);
      expect(existsSync(join(out, entry!))).to.equal(true);
      // No input in the environment: the job is found, and refuses to run with exit code 2 naming the variables.
      const run = spawnSync(process.execPath, [entry!, name!], {
        cwd: out,
        env: { PATH: process.env.PATH },
        encoding: 'utf8',
      });
      expect(run.status, run.stderr).to.equal(2);
      const summary = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
      expect(summary).to.include({ type: 'summary', job: job.name, ok: false, error: 'InvalidInput' });
      expect(summary.message).to.match(/S3_BUCKET|EXPORT_ID|JOB_ID/);
    }
    for (const args of [['--help'], ['no-such-job'], []]) {
      const run = spawnSync(process.execPath, [FARGATE_ENTRY, ...args], { cwd: out, encoding: 'utf8' });
      expect(run.status, args.join(' ')).to.equal(2);
      expect(run.stdout).to.match(/usage: node dist\/jobs\.mjs <job>/);
    }
  });

  it("bundles the import's parser worker, which reads a block from S3 and posts its rows", async () => {
    // GIVEN a worker started from the bundle's file, as the bundled import starts it, and an object in S3
    const deps = await localJobDeps();
    const bucket = await createBucket(deps.s3);
    await putObject(deps.s3, bucket, 'imports/w.csv', 'user_id,plan\nu1,free\n"u2","a\nb"\nu3,x,extra\n');
    const source = {
      bucket,
      key: 'imports/w.csv',
      importId: 'i',
      userSegmentationId: 's',
      etag: '',
      size: 43,
      header: { columns: ['user_id', 'plan'], userIdIndex: 0 },
    };
    const worker = new Worker(join(out, 'dist/import-block-worker.mjs'), {
      workerData: {
        source,
        s3: { endpoint: deps.config.awsEndpoint, region: deps.config.awsRegion },
        credit: 4,
      },
    });
    const messages: { type: string; batch?: { kinds: Uint8Array; rejections: unknown[] } }[] = [];
    try {
      // WHEN it is given the one block after the header
      const ended = new Promise<void>((resolve, reject) => {
        worker.on('message', (message: (typeof messages)[number]) => {
          messages.push(message);
          if (message.type === 'end') resolve();
          if (message.type === 'error') reject(new Error(JSON.stringify(message)));
        });
        worker.on('error', reject);
      });
      worker.postMessage({ type: 'block', task: { index: 0, start: 13, end: 43, exactStart: 13 } });
      await ended;
    } finally {
      await worker.terminate();
      closeJobDeps(deps);
    }
    // THEN it posts where the block starts, its rows (two valid, one rejected) and where it ends
    expect(messages.map((m) => m.type)).to.deep.equal(['started', 'batch', 'end']);
    expect([...messages[1]!.batch!.kinds]).to.deep.equal([0, 0, 1]);
    expect(messages[2]).to.deep.include({
      outcome: { firstRecordStart: 13, nextRecordStart: 43, lineCount: 4 },
    });
  });

  it('copies only sources that exist, runs on the Lambda Node.js 24 base and defaults to a built handler', () => {
    const copies = [...dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)].map((m) =>
      m[1]!.trim().split(/\s+/).slice(0, -1),
    );
    expect(copies.length).to.be.greaterThan(0);
    for (const source of copies.flat()) expect(existsSync(join(root, source)), source).to.equal(true);
    expect(dockerfile).to.match(/^FROM public\.ecr\.aws\/lambda\/nodejs:24$/m);
    expect(dockerfile).to.match(/RUN npx tsx scripts\/build-jobs\.ts --out dist/);
    const cmd = /^CMD \["(.+)"\]$/m.exec(dockerfile)?.[1];
    expect(cmd).to.equal(lambdaHandlerName({ name: 'audience-status' }));
    const ignore = readFileSync(join(root, '.dockerignore'), 'utf8');
    for (const source of copies.flat()) {
      expect(ignore, `.dockerignore must let ${source} in`).to.match(
        new RegExp(`^!${source.replace(/\./g, '\\.')}`, 'm'),
      );
    }
  });
});
