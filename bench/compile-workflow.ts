/**
 * Compile-speed benchmark: builds a generated workflow of 1,000 states (tasks with retry and catch, choices,
 * passes, a parallel), compiles it, validates it with the structural rules and with asl-validator, and
 * reports the median of repeated runs beside asl-validator alone on the same definition (the reference).
 */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { checkWithAslValidator } from '../dsl/asl-schema-check.ts';
import {
  type AnyChain,
  type Chain,
  compileWorkflow,
  conditions,
  defineJob,
  defineWorkflow,
  fragment,
  retryPresets,
} from '../dsl/index.ts';
import { placeholderResources } from '../workflows/placeholder-bindings.ts';

const step = defineJob({
  name: 'bench-step',
  description: 'benchmark job',
  input: z.object({ id: z.string(), index: z.number() }),
  output: z.object({ ok: z.boolean() }),
  runsOn: ['lambda', 'fargate'],
  module: 'bench/none.ts',
});

const Input = z.object({ id: z.string(), size: z.number() });
type Input = z.infer<typeof Input>;

/** A workflow with `groups` × 5 states plus a shared failure handler. */
export function generatedWorkflow(groups: number) {
  const failed = fragment<Input & { failure: { Error: string; Cause: string } }>().fail('Failed', {
    error: 'Failed',
  });
  return defineWorkflow({
    name: 'bench-generated',
    description: `generated workflow of ${groups * 5 + 2} states`,
    input: Input,
    definition: (start) => {
      let chain: Chain<Input, Input, 'w', never> = start as never;
      for (let g = 0; g < groups; g++) {
        chain = chain
          .lambdaStep(`Lambda${g}`, step, ($) => ({ id: $.id, index: g }), { resultPath: null })
          .retry(retryPresets.lambdaServiceErrors())
          .catch(['States.ALL'], { resultPath: '$.failure', next: failed })
          .fargateStep(`Fargate${g}`, step, ($) => ({ id: $.id, index: $.size }), { resultPath: null })
          .retry(retryPresets.ecsCapacity())
          .catch(['States.ALL'], { resultPath: '$.failure', next: failed })
          .choice(`Choice${g}`, ($) => [
            {
              condition: conditions.gt($.size, g),
              steps: (b) => b.pass(`Big${g}`, { result: g, resultPath: null }),
            },
          ])
          .pass(`Pass${g}`, { result: { g }, resultPath: null }) as never;
      }
      return chain.succeed('Done') as AnyChain<'w'>;
    },
  });
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function time(run: () => void, repeat: number): number {
  const samples: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const started = performance.now();
    run();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

/** Runs the benchmark and returns its figures (milliseconds, medians). */
export function runCompileBench(repeat = 15): Record<string, number> {
  const workflow = generatedWorkflow(200);
  const bindings = placeholderResources();
  const compiled = compileWorkflow(workflow, bindings);
  if (compiled.issues.length > 0)
    throw new Error(`generated workflow has issues: ${JSON.stringify(compiled.issues[0])}`);
  const states = Object.keys(compiled.definition.States).length;
  time(() => compileWorkflow(workflow, bindings), 3); // warm-up
  const buildMs = time(() => generatedWorkflow(200), repeat);
  const compileMs = time(() => compileWorkflow(workflow, bindings, { aslValidator: false }), repeat);
  const withAslValidatorMs = time(() => compileWorkflow(workflow, bindings), repeat);
  const aslValidatorMs = time(() => checkWithAslValidator(compiled.definition), repeat);
  return {
    states,
    buildMs: round(buildMs),
    compileAndRulesMs: round(compileMs),
    compileRulesAndAslValidatorMs: round(withAslValidatorMs),
    aslValidatorAloneMs: round(aslValidatorMs),
    compileAndRulesToAslValidatorRatio: round(compileMs / aslValidatorMs),
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.table(runCompileBench());
}
