import type { AnyWorkflow } from '../dsl/index.ts';
import { exportAudienceWorkflow } from './export-audience.ts';
import { importAudienceWorkflow } from './import-audience.ts';
import { importStarterWorkflow } from './import-starter.ts';

export { exportAudienceWorkflow, importAudienceWorkflow, importStarterWorkflow };

/** Every workflow in the repository: infrastructure deploys each as a state machine, synth writes each. */
export const allWorkflows: readonly AnyWorkflow[] = [
  importStarterWorkflow,
  importAudienceWorkflow,
  exportAudienceWorkflow,
];
