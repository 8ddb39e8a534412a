// `npm run demo`: import 200,000 generated users (a few bad rows among them) and export them again, locally.
// `-- --rows N` imports N users; `-- --shard-bytes B` sets import.shardBytes (and lambdaMaxBytes to at most B,
// unless `--lambda-max-bytes` says otherwise), so the import runs sharded.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { compileValidWorkflow, toMermaid } from '../dsl/index.ts';
import { readStatusItem } from '../jobs/audience-status/table.ts';
import { dynamodbClient } from '../jobs/runtime/clients.ts';
import { runtimeConfig } from '../jobs/runtime/config.ts';
import { allWorkflows, exportAudienceWorkflow, importAudienceWorkflow } from '../workflows/index.ts';
import { placeholderResources } from '../workflows/placeholder-bindings.ts';
import { ConsoleReport } from './runner/console-report.ts';
import { runWorkflowLocally } from './runner/execution.ts';
import { DEFAULT_LOCAL_BUCKET, prepareLocalResources } from './runner/local-resources.ts';
import { repoRoot } from './services/options.ts';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    'shard-bytes': { type: 'string' },
    'lambda-max-bytes': { type: 'string' },
    'max-concurrency': { type: 'string' },
  },
});
const USERS = Number(args.rows);
/** Deliberately bad rows, each with the reason the import must give. */
const BAD_ROWS = [
  ',nobody@example.com,free,JP', // empty user_id
  'user-bad-1,too,many,columns,here', // five columns for four
  'user-bad-2,"bad"quote@example.com,free,JP', // text after a closing quote (a quote inside an unquoted field is text)
  'user-bad-3,short',
  'user\u0001bad,bell@example.com,free,JP', // control character in user_id
];

process.removeAllListeners('warning');

/** The import thresholds the flags ask for, as the plan Lambda's environment carries them. */
function applyThresholdFlags(): void {
  if (!Number.isInteger(USERS) || USERS < 1)
    throw new Error(`--rows: expected a positive integer, got ${args.rows}`);
  const shardBytes = args['shard-bytes'];
  if (shardBytes) {
    process.env.IMPORT_SHARD_BYTES = shardBytes;
    const lambdaMax = Number(
      process.env.IMPORT_LAMBDA_MAX_BYTES || runtimeConfig({}).importPlan.lambdaMaxBytes,
    );
    process.env.IMPORT_LAMBDA_MAX_BYTES = String(Math.min(lambdaMax, Number(shardBytes)));
  }
  if (args['lambda-max-bytes']) process.env.IMPORT_LAMBDA_MAX_BYTES = args['lambda-max-bytes'];
  if (args['max-concurrency']) process.env.IMPORT_MAX_CONCURRENCY = args['max-concurrency'];
  // Malformed values stop here, naming the variable, rather than in the plan step.
  const { importPlan } = runtimeConfig(process.env);
  console.log(
    `import plan thresholds: lambdaMaxBytes ${importPlan.lambdaMaxBytes}, shardBytes ${importPlan.shardBytes}, maxShards ${importPlan.maxShards}, maxConcurrency ${importPlan.maxConcurrency}`,
  );
}

/** Which path the import took, from its final state: the plan, and the reduce step's outcome when sharded. */
function pathTaken(output: unknown): string {
  const state = output as {
    plan?: { Payload?: { executor?: string; shards?: unknown[]; reason?: string } };
    reconciled?: { Payload?: { outcome?: string; reason?: string } };
  };
  const plan = state.plan?.Payload;
  if (!plan) return 'unknown (no plan in the output)';
  const shards = plan.executor === 'sharded' ? ` over ${plan.shards?.length} shards` : '';
  const reduce = state.reconciled?.Payload;
  const rerun = reduce?.outcome === 'rerun-unsharded' ? `, then unsharded on Fargate (${reduce.reason})` : '';
  return `${plan.executor}${shards}${rerun}: ${plan.reason}`;
}

async function main(): Promise<number> {
  applyThresholdFlags();
  const runId = new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14);
  // A topic of its own per demo run keeps the export's scan as short as the first time.
  process.env.AUDIENCE_TOPIC ||= `audience-demo-${runId}`;
  const bucket = process.env.AUDIENCE_BUCKET ?? DEFAULT_LOCAL_BUCKET;
  console.log('starting the local services (Kafka, AWS emulator) unless they run already…');
  const { s3, statusTable } = await prepareLocalResources(bucket);

  const importId = `demo-import-${runId}`;
  const exportId = `demo-export-${runId}`;
  const segment = 'demo-segment';
  const key = `imports/${segment}/${importId}.csv`;
  const lines = ['user_id,email,plan,country'];
  const every = Math.max(1, Math.floor(USERS / BAD_ROWS.length));
  let bad = 0;
  for (let i = 0; i < USERS; i++) {
    lines.push(`user-${i},user${i}@example.com,${i % 3 === 0 ? 'pro' : 'free'},${['JP', 'US', 'FR'][i % 3]}`);
    if (i % every === every - 1 && bad < BAD_ROWS.length) lines.push(BAD_ROWS[bad++]!);
  }
  const body = `${lines.join('\n')}\n`;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  console.log(
    `uploaded s3://${bucket}/${key}: ${USERS.toLocaleString('en-US')} users + ${bad} bad rows, ${(body.length / 1e6).toFixed(1)} MB\n`,
  );

  const importReport = new ConsoleReport();
  const imported = await runWorkflowLocally(
    importAudienceWorkflow,
    { importId, userSegmentationId: segment, s3Bucket: bucket, s3Key: key },
    { name: importId, onEvent: importReport.onEvent },
  );
  importReport.summary(imported);
  if (imported.status !== 'SUCCEEDED') return 1;
  const path = pathTaken(imported.output);
  console.log(`\nimport path: ${path}`);

  const exportKey = `exports/${exportId}.csv`;
  const exportReport = new ConsoleReport({ totals: { ExportToS3: USERS } });
  console.log('');
  const exported = await runWorkflowLocally(
    exportAudienceWorkflow,
    { exportId, userSegmentationId: segment, importId, s3Bucket: bucket, s3Key: exportKey },
    { name: exportId, onEvent: exportReport.onEvent },
  );
  exportReport.summary(exported);
  if (exported.status !== 'SUCCEEDED') return 1;

  const dynamodb = dynamodbClient(runtimeConfig(process.env));
  const importItem = await readStatusItem(dynamodb, statusTable, importId);
  const exportItem = await readStatusItem(dynamodb, statusTable, exportId);
  dynamodb.destroy();
  const exportedCsv = await (
    await s3.send(new GetObjectCommand({ Bucket: bucket, Key: exportKey }))
  ).Body!.transformToString();
  const exportedLines = exportedCsv.trimEnd().split('\n').length - 1;

  const rowsRead = Number(importItem?.rowsRead);
  const produced = Number(importItem?.rowsProduced);
  const rejected = Number(importItem?.rowsRejected);
  const rowsExported = Number(exportItem?.rowsExported);
  const checks: [string, boolean][] = [
    [`import status = imported (${importItem?.status})`, importItem?.status === 'imported'],
    [`export status = exported (${exportItem?.status})`, exportItem?.status === 'exported'],
    [`rows read ${rowsRead} = produced ${produced} + rejected ${rejected}`, rowsRead === produced + rejected],
    [`rows read ${rowsRead} = rows written ${USERS + bad}`, rowsRead === USERS + bad],
    [`rows rejected ${rejected} = bad rows written ${bad}`, rejected === bad],
    [`rows exported ${rowsExported} = rows produced ${produced}`, rowsExported === produced],
    [
      `lines in the exported CSV ${exportedLines} = rows exported ${rowsExported}`,
      exportedLines === rowsExported,
    ],
  ];

  const diagramDir = join(repoRoot, 'out', 'diagrams');
  mkdirSync(diagramDir, { recursive: true });
  const diagrams = allWorkflows.map((workflow) => {
    const path = join(diagramDir, `${workflow.name}.mmd`);
    const { definition } = compileValidWorkflow(workflow, placeholderResources());
    writeFileSync(path, toMermaid(definition, workflow.name));
    return relative(process.cwd(), path);
  });

  console.log('\nsummary');
  console.log(`  import path: ${path}`);
  for (const [text, ok] of checks) console.log(`  ${ok ? '✓' : '✗'} ${text}`);
  console.log(
    `  import ${(imported.stoppedAt - imported.startedAt) / 1000} s, export ${(exported.stoppedAt - exported.startedAt) / 1000} s`,
  );
  console.log(`  rejected rows: s3://${bucket}/rejects/${importId}.csv`);
  console.log(`  exported CSV:  s3://${bucket}/${exportKey}`);
  console.log(`  diagrams:      ${diagrams.join(', ')}`);
  return checks.every(([, ok]) => ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
