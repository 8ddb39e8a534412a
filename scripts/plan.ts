// `npm run plan [-- --json] [-- --stack <name>]`: what `pulumi up` would create, without an AWS account.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { planProgram, readStackConfig } from '../infra/plan-run.ts';
import { planEntries, renderPlanTree } from '../infra/plan-view.ts';
import { typecheckOrExit } from './typecheck-preflight.ts';

const { values } = parseArgs({
  options: { json: { type: 'boolean', default: false }, stack: { type: 'string', default: 'dev' } },
});
const stackFile = new URL(`../Pulumi.${values.stack}.yaml`, import.meta.url).pathname;
if (!existsSync(stackFile)) {
  console.error(
    `No stack configuration at ${stackFile}: pass --stack <name> for an existing Pulumi.<name>.yaml`,
  );
  process.exit(2);
}
// The program runs under tsx, which does not check types: check what `pulumi up` would run first.
typecheckOrExit(['index.ts']);
const plan = await planProgram(() => import('../index.ts'), readStackConfig(stackFile), values.stack);
const entries = planEntries(plan.resources);
if (values.json) {
  const inputsByName = new Map(plan.resources.map((r) => [`${r.type}::${r.name}`, r.inputs]));
  const resources = entries.map((e) => ({ ...e, inputs: inputsByName.get(`${e.type}::${e.name}`) }));
  console.log(JSON.stringify({ stack: values.stack, outputs: plan.outputs, resources }, null, 2));
} else {
  console.log(`Plan of stack '${values.stack}' (Pulumi mocks: ids and ARNs are of a placeholder account)\n`);
  console.log(renderPlanTree(entries));
  console.log('\nOutputs:');
  for (const [name, value] of Object.entries(plan.outputs))
    console.log(`  ${name}: ${JSON.stringify(value)}`);
}
