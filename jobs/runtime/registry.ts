import type { AnyJob } from '../../dsl/job.ts';
import { run as runAudienceStatus } from '../audience-status/run.ts';
import { run as runCloseShardedImport } from '../close-sharded-import/run.ts';
import { run as runExportAudience } from '../export-audience/run.ts';
import { run as runImportAudience } from '../import-audience/run.ts';
import { run as runImportKey } from '../import-key/run.ts';
import {
  audienceStatus,
  closeShardedImport,
  exportAudience,
  importAudience,
  importKey,
  planImport,
  sendEndMarker,
} from '../index.ts';
import { run as runPlanImport } from '../plan-import/run.ts';
import { run as runSendEndMarker } from '../send-end-marker/run.ts';
import type { JobDeps } from './clients.ts';

/** A job declaration with the function that implements it. */
export interface RunnableJob {
  readonly job: AnyJob;
  readonly run: (input: never, deps: JobDeps) => Promise<unknown>;
}

/** Every job with its implementation, by job name; the entries and the image are generated from it. */
export const runnableJobs: Readonly<Record<string, RunnableJob>> = {
  [audienceStatus.name]: { job: audienceStatus, run: runAudienceStatus },
  [importAudience.name]: { job: importAudience, run: runImportAudience },
  [sendEndMarker.name]: { job: sendEndMarker, run: runSendEndMarker },
  [exportAudience.name]: { job: exportAudience, run: runExportAudience },
  [importKey.name]: { job: importKey, run: runImportKey },
  [planImport.name]: { job: planImport, run: runPlanImport },
  [closeShardedImport.name]: { job: closeShardedImport, run: runCloseShardedImport },
};
