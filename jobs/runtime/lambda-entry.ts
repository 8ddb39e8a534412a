// The Lambda bundle (dist/lambda.mjs): one named export per Lambda job, selected by the image command.
import { handlers } from './lambda.ts';

/** Handler of the audience-status job. */
export const audienceStatus = handlers.audienceStatus;
/** Handler of the send-end-marker job. */
export const sendEndMarker = handlers.sendEndMarker;
/** Handler of the import-key job. */
export const importKey = handlers.importKey;
/** Handler of the import-audience job (small objects; the plan step picks Lambda for them). */
export const importAudience = handlers.importAudience;
/** Handler of the plan-import job (the import's first step). */
export const planImport = handlers.planImport;
/** Handler of the close-sharded-import job (the reduce step of a sharded import). */
export const closeShardedImport = handlers.closeShardedImport;
