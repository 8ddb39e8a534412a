import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { toMermaid } from '../../dsl/index.ts';
import { allWorkflows } from '../../workflows/index.ts';
import { render } from './render.ts';

describe('npm run synth -- --out DIR', () => {
  let out = '';

  before(async function () {
    this.timeout(60_000);
    out = await mkdtemp(join(tmpdir(), 'synth-'));
    await promisify(execFile)('npx', ['tsx', 'scripts/synth.ts', '--out', out]);
  });

  after(() => rm(out, { recursive: true, force: true }));

  it('writes <workflow>.asl.json and <workflow>.mmd for every workflow, and nothing else', async () => {
    const expected = allWorkflows.flatMap((w) => [`${w.name}.asl.json`, `${w.name}.mmd`]).sort();
    expect((await readdir(out)).sort()).to.deep.equal(expected);
  });

  for (const workflow of allWorkflows) {
    it(`${workflow.name}: the files hold the compiled definition and its diagram`, async () => {
      const { definition } = render(workflow);
      expect(JSON.parse(await readFile(join(out, `${workflow.name}.asl.json`), 'utf8'))).to.deep.equal(
        definition,
      );
      expect(await readFile(join(out, `${workflow.name}.mmd`), 'utf8')).to.equal(
        toMermaid(definition, workflow.name),
      );
    });
  }
});
