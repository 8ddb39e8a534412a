import { audienceStatus } from './audience-status/job.ts';
import { exportAudience } from './export-audience/job.ts';
import { importAudience } from './import-audience/job.ts';
import { importKey } from './import-key/job.ts';
import { sendEndMarker } from './send-end-marker/job.ts';

export { audienceStatus, exportAudience, importAudience, importKey, sendEndMarker };

/** Every job the platform deploys, in one list: infrastructure and the image build iterate over it. */
export const allJobs = [importKey, audienceStatus, importAudience, sendEndMarker, exportAudience] as const;
