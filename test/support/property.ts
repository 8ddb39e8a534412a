import type fc from 'fast-check';

/**
 * fast-check run options: `runs` generated cases (FC_RUNS in the environment overrides it, for a longer hunt), or
 * a replay of a failure printed earlier: set FC_SEED (and FC_PATH to start at the shrunk case). fast-check prints
 * seed and path with every failure.
 */
export function propertyRuns(runs: number): fc.Parameters<unknown> {
  const seed = process.env.FC_SEED;
  const path = process.env.FC_PATH;
  return {
    numRuns: Number(process.env.FC_RUNS ?? runs),
    ...(seed ? { seed: Number(seed) } : {}),
    ...(path ? { path } : {}),
  };
}
