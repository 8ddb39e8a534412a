import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { NONCURRENT_VERSION_DAYS } from '../../infra/audience-bucket.ts';
import { TASK_TMP, TASK_USER } from '../../infra/fargate-job.ts';
import type { PlanResult } from '../../infra/plan-run.ts';
import { parsedJson, plannedDevStack, plannedSecretStack, plannedStacks, resourcesOfType } from './stack.ts';

interface Container {
  user?: string;
  readonlyRootFilesystem?: boolean;
  mountPoints?: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
}

/** The instructions of the Dockerfile's last stage: what the image runs with. */
function runtimeStage(): string[] {
  const lines = readFileSync(new URL('../../images/Dockerfile', import.meta.url), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  return lines.slice(lines.findLastIndex((line) => line.startsWith('FROM ')));
}

for (const [stack, planned] of plannedStacks) {
  describe(`infra hardening: ${stack} stack (Pulumi mocks)`, () => {
    let plan: PlanResult;
    before(async () => {
      plan = await planned();
    });

    it('task containers run as a non-root user on a read-only root filesystem, /tmp a task volume', () => {
      const tasks = resourcesOfType(plan, 'aws:ecs/taskDefinition:TaskDefinition');
      expect(tasks).to.not.be.empty;
      for (const task of tasks) {
        const [container] = parsedJson<Container[]>(task.inputs.containerDefinitions);
        expect(container, task.name).to.deep.include({
          user: TASK_USER,
          readonlyRootFilesystem: true,
          mountPoints: [{ sourceVolume: 'tmp', containerPath: TASK_TMP, readOnly: false }],
        });
        expect(task.inputs.volumes, task.name).to.deep.equal([{ name: 'tmp' }]);
      }
    });

    it('Container Insights is on for the job cluster', () => {
      const [cluster] = resourcesOfType(plan, 'aws:ecs/cluster:Cluster');
      expect(cluster?.inputs.settings).to.deep.equal([{ name: 'containerInsights', value: 'enabled' }]);
    });
  });
}

describe('infra hardening: the image', () => {
  it("the runtime stage runs as the tasks' non-root user, with HOME on the writable /tmp", () => {
    const stage = runtimeStage();
    expect(
      TASK_USER.split(':')
        .map(Number)
        .every((id) => id > 0),
    ).to.equal(true);
    expect(stage.filter((line) => line.startsWith('USER '))).to.deep.equal([`USER ${TASK_USER}`]);
    expect(stage).to.include(`ENV HOME=${TASK_TMP}`);
    // USER comes after every instruction that needs root (COPY of the bundle), and before the command.
    expect(stage.findIndex((line) => line.startsWith('USER '))).to.be.greaterThan(
      stage.findLastIndex((line) => line.startsWith('COPY ')),
    );
  });
});

describe('infra hardening: bucket versioning is configurable', () => {
  it('on by default (dev): replaced and deleted objects stay recoverable, then expire', async () => {
    const plan = await plannedDevStack();
    const [versioning] = resourcesOfType(plan, 'aws:s3/bucketVersioning:BucketVersioning');
    expect(versioning?.inputs.versioningConfiguration).to.deep.equal({ status: 'Enabled' });
    const [lifecycle] = resourcesOfType(
      plan,
      'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
    );
    expect(lifecycle?.inputs.rules).to.deep.include({
      id: 'expire-noncurrent-versions',
      status: 'Enabled',
      filter: {},
      noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_VERSION_DAYS },
      expiration: { expiredObjectDeleteMarker: true },
    });
  });

  it('off when bucketVersioning is false (secret stack): no versioning, no noncurrent-version rule', async () => {
    const plan = await plannedSecretStack();
    expect(resourcesOfType(plan, 'aws:s3/bucketVersioning:BucketVersioning')).to.deep.equal([]);
    const [lifecycle] = resourcesOfType(
      plan,
      'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
    );
    expect((lifecycle!.inputs.rules as { id: string }[]).map((r) => r.id)).to.deep.equal([
      'expire-rejects',
      'abort-incomplete-multipart-uploads',
    ]);
  });
});
