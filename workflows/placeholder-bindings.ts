import { type PlaceholderBindings, placeholderBindings } from '../dsl/index.ts';
import { fargateCommand } from '../jobs/runtime/entry-points.ts';

/**
 * The repository's jobs bound to placeholder ARNs of one fixed account and region, with the real container
 * commands: what `npm run synth`, the snapshots and the local runner compile with.
 */
export function placeholderResources(): PlaceholderBindings {
  return placeholderBindings({ command: fargateCommand });
}
