import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';

const REPO = resolve(import.meta.dirname, '..', '..');
/** What synth, plan and the local runner load: the repository without its tests, benchmarks and image. */
const COPIED = [
  'dsl',
  'jobs',
  'workflows',
  'scripts',
  'local',
  'infra',
  'index.ts',
  'package.json',
  'tsconfig.json',
];

/** Runs `npx tsx <args>` in `cwd`; resolves with the exit code and output (never rejects). */
function tsx(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // `npm test` skips the preflight in its own process (it type-checked first): not in these commands.
  const { npm_lifecycle_event: _event, ...env } = process.env;
  return new Promise((done) => {
    execFile('npx', ['tsx', ...args], { cwd, env, timeout: 120_000 }, (error, stdout, stderr) =>
      done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * Types on every path: tsx strips types without checking them, so `npm run synth`, `npm run plan` (the Pulumi
 * program) and `npm run local` check them first. Each runs here in a copy of the repository with one mistake
 * tsc catches and the runtime would not: it exits 1 naming the error, before doing anything.
 */
describe('the type-check preflight of synth, plan and the local runner', function () {
  this.timeout(300_000);
  let copy = '';
  const workflow = () => join(copy, 'workflows', 'import-audience.ts');
  let pristine = '';

  before(() => {
    copy = mkdtempSync(join(tmpdir(), 'preflight-'));
    for (const entry of COPIED) cpSync(join(REPO, entry), join(copy, entry), { recursive: true });
    rmSync(join(copy, 'local', 'README.md'), { force: true });
    symlinkSync(join(REPO, 'node_modules'), join(copy, 'node_modules'));
    writeFileSync(join(copy, 'Pulumi.dev.yaml'), readFileSync(join(REPO, 'Pulumi.dev.yaml')));
    pristine = readFileSync(workflow(), 'utf8');
  });

  afterEach(() => writeFileSync(workflow(), pristine));
  after(() => rmSync(copy, { recursive: true, force: true }));

  /** The workflow with one replacement, which must apply. */
  function mistake(from: string, to: string): void {
    expect(pristine).to.include(from);
    writeFileSync(workflow(), pristine.replace(from, to));
  }

  it('lets synth run when the project type-checks', async () => {
    const { code, stderr } = await tsx(copy, ['scripts/synth.ts', '--out', 'out']);
    expect(code, stderr).to.equal(0);
    expect(existsSync(join(copy, 'out', 'import-audience.asl.json'))).to.equal(true);
  });

  it('stops synth on a misspelt reference, which would compile to a JSONPath that does not exist', async () => {
    mistake('userSegmentationId: $.userSegmentationId,', 'userSegmentationId: $.userSegmntationId,');
    const { code, stderr } = await tsx(copy, ['scripts/synth.ts', '--out', 'out-typo']);
    expect(code).to.equal(1);
    expect(stderr)
      .to.match(/workflows\/import-audience\.ts\(\d+,\d+\): error TS\d+/)
      .and.include('userSegmntationId');
    expect(existsSync(join(copy, 'out-typo'))).to.equal(false);
  });

  it('stops synth on a misspelt optional key, which zod would drop at run time', async () => {
    mistake('objectKey: $.s3Key,', 'objectKy: $.s3Key,');
    const { code, stderr } = await tsx(copy, ['scripts/synth.ts', '--out', 'out-key']);
    expect(code).to.equal(1);
    expect(stderr).to.include("'objectKy' is not a field of this input");
  });

  it('stops plan (the Pulumi program) and the local runner on the same mistake', async () => {
    mistake('userSegmentationId: $.userSegmentationId,', 'userSegmentationId: $.userSegmntationId,');
    const plan = await tsx(copy, ['scripts/plan.ts']);
    expect(plan.code).to.equal(1);
    expect(plan.stderr).to.include('userSegmntationId');
    const local = await tsx(copy, ['local/cli.ts', 'run', 'import-audience', '--input', '{}']);
    expect(local.code).to.equal(1);
    expect(local.stderr).to.include('userSegmntationId');
  });
});
