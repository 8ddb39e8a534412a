import type { z } from 'zod';
import type { JobDeps } from '../runtime/clients.ts';
import type { planImport } from './job.ts';
import { readObjectFacts } from './object-facts.ts';
import { chooseImportPlan } from './plan-rules.ts';

type Input = z.output<typeof planImport.input>;
type Output = z.input<typeof planImport.output>;

/** Plans an import: reads the object's size and encoding and picks Lambda, one Fargate task or shards. */
export async function run(input: Input, deps: JobDeps): Promise<Output> {
  const facts = await readObjectFacts(deps.s3, input.s3Bucket, input.s3Key);
  const plan = chooseImportPlan(facts, deps.config.importPlan);
  deps.log.info('import-planned', {
    importId: input.importId,
    executor: plan.executor,
    reason: plan.reason,
    objectBytes: plan.objectBytes,
    compressed: plan.compressed,
    shards: plan.shards.length,
  });
  return plan;
}
