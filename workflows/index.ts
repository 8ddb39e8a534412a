import type { AnyWorkflow } from '../dsl/index.ts';
import { exportAudienceWorkflow } from './export-audience.ts';
import { importAudienceWorkflow } from './import-audience.ts';

export { exportAudienceWorkflow, importAudienceWorkflow };

/** Every workflow in the repository: infrastructure deploys each as a state machine, synth writes each. */
export const allWorkflows: readonly AnyWorkflow[] = [importAudienceWorkflow, exportAudienceWorkflow];
