/**
 * `npm run synth -- --out DIR`: writes DIR/<workflow>.asl.json and DIR/<workflow>.mmd for every workflow,
 * compiled with placeholder ARNs of one fixed account and region. Exits 1 listing every type error or issue.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { typecheckOrExit } from './typecheck-preflight.ts';

// Types first: tsx runs the workflows without checking them, and a type error would compile to a wrong ASL path.
typecheckOrExit(['scripts/synth.ts']);
const { compileWorkflow, toMermaid } = await import('../dsl/index.ts');
const { allWorkflows } = await import('../workflows/index.ts');
const { placeholderResources } = await import('../workflows/placeholder-bindings.ts');

const { values } = parseArgs({ options: { out: { type: 'string', default: 'out/synth' } } });
const out = resolve(values.out);
await mkdir(out, { recursive: true });

let failed = false;
for (const workflow of allWorkflows) {
  const { definition, issues } = compileWorkflow(workflow, placeholderResources());
  for (const issue of issues)
    console.error(`${workflow.name}: ${issue.code} at ${issue.path}: ${issue.message}`);
  failed ||= issues.length > 0;
  const asl = join(out, `${workflow.name}.asl.json`);
  const diagram = join(out, `${workflow.name}.mmd`);
  await writeFile(asl, `${JSON.stringify(definition, null, 2)}\n`);
  await writeFile(diagram, toMermaid(definition, workflow.name));
  console.log(`${workflow.name}: ${Object.keys(definition.States).length} states → ${asl}, ${diagram}`);
}
process.exitCode = failed ? 1 : 0;
