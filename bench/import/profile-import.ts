// Runs one import in-process on a generated file (for `node --cpu-prof`): npx tsx bench/import/profile-import.ts [rows]
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createStatusTable } from '../../jobs/audience-status/table.ts';
import { run } from '../../jobs/import-audience/run.ts';
import { closeJobDeps, jobDeps } from '../../jobs/runtime/clients.ts';
import { runtimeConfig } from '../../jobs/runtime/config.ts';
import { jsonLineLogger } from '../../jobs/runtime/logger.ts';
import { ensureLocalServices } from '../../local/services/index.ts';
import { generateCsvText } from './users-file.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
await ensureLocalServices();
const stamp = Date.now().toString(36);
const config = { ...runtimeConfig(), audienceTopic: `profile-${stamp}`, statusTable: `profile-${stamp}` };
const deps = jobDeps(
  config,
  jsonLineLogger('import-audience', () => undefined),
  'profile',
);
await createStatusTable(deps.dynamodb, config.statusTable);
await deps.s3.send(new CreateBucketCommand({ Bucket: `profile-${stamp}` }));
await new Upload({
  client: deps.s3,
  params: { Bucket: `profile-${stamp}`, Key: 'users.csv', Body: generateCsvText(rows) },
}).done();
const started = Date.now();
const summary = await run(
  {
    importId: stamp,
    userSegmentationId: 'profile',
    s3Bucket: `profile-${stamp}`,
    s3Key: 'users.csv',
    maxRejectedRows: 0,
  },
  deps,
);
process.stdout.write(
  `${JSON.stringify(summary)} ${Math.round(rows / ((Date.now() - started) / 1000))} rows/s\n`,
);
closeJobDeps(deps);
process.exit(0);
