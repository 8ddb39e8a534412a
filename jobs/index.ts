import { audienceStatus } from './audience-status/job.ts';
import { closeShardedImport } from './close-sharded-import/job.ts';
import { exportAudience } from './export-audience/job.ts';
import { importAudience } from './import-audience/job.ts';
import { importKey } from './import-key/job.ts';
import { planImport } from './plan-import/job.ts';
import { sendEndMarker } from './send-end-marker/job.ts';

export {
  audienceStatus,
  closeShardedImport,
  exportAudience,
  importAudience,
  importKey,
  planImport,
  sendEndMarker,
};

/** Every job the platform deploys, in one list: infrastructure and the image build iterate over it. */
export const allJobs = [
  importKey,
  audienceStatus,
  planImport,
  importAudience,
  closeShardedImport,
  sendEndMarker,
  exportAudience,
] as const;
