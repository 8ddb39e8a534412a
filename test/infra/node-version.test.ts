import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { MINIMUM_NODE, requireSupportedNode, UnsupportedNodeError } from '../../infra/node-version.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The `node` a shell would find on the PATH, skipping npm's `node_modules/.bin` (the Node 24 of the scripts). */
function machineNode(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir.includes('node_modules')) continue;
    const candidate = join(dir, 'node');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

describe('infra: the Node.js that `pulumi up` starts (the `node` on the PATH)', () => {
  for (const version of ['18.20.4', '20.5.1']) {
    it(`refuses Node.js ${version} with a message saying what to install`, () => {
      expect(() => requireSupportedNode(version)).to.throw(
        UnsupportedNodeError,
        `needs Node.js ${MINIMUM_NODE.join('.')} or newer, but \`pulumi up\` started it with Node.js ${version} (the \`node\` on your PATH)`,
      );
    });
  }

  for (const version of ['20.6.0', '20.20.2', '22.11.0', '24.21.0']) {
    it(`accepts Node.js ${version}`, () => {
      expect(() => requireSupportedNode(version)).not.to.throw();
    });
  }

  it("loads and plans the whole program with the machine's node, as Pulumi.yaml starts it (--import tsx)", function () {
    this.timeout(120_000);
    const node = machineNode();
    if (node === undefined) this.skip();
    const version = spawnSync(node!, ['--version'], { encoding: 'utf8' }).stdout.trim();
    const plan = spawnSync(node!, ['--import', 'tsx', 'scripts/plan.ts', '--json'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(plan.status, `${node} ${version}: ${plan.stderr}`).to.equal(0);
    const { resources } = JSON.parse(plan.stdout) as { resources: { type: string }[] };
    expect(
      resources.map((r) => r.type),
      version,
    ).to.include('aws:sfn/stateMachine:StateMachine');
  });
});
