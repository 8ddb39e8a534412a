import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readStatusItem } from '../jobs/audience-status/table.ts';
import { dynamodbClient } from '../jobs/runtime/clients.ts';
import { runtimeConfig } from '../jobs/runtime/config.ts';
import { allWorkflows } from '../workflows/index.ts';
import { ConsoleReport } from './runner/console-report.ts';
import { runWorkflowLocally } from './runner/execution.ts';
import { ImportWatcher } from './runner/import-watcher.ts';
import { DEFAULT_LOCAL_BUCKET, prepareLocalResources } from './runner/local-resources.ts';
import { needsLocalServices } from './runner/needs-services.ts';
import { previewImport } from './runner/preview.ts';
import { ensureLocalServices, localServicesStatus, stopLocalServices } from './services/index.ts';

/** Usage of `npm run local`. */
const USAGE = `usage: npm run local -- <command>
  run <workflow> --input <json | @file> [--name <execution name>] [--verbose]
        runs a workflow's compiled ASL locally (workflows: ${allWorkflows.map((w) => w.name).join(', ')})
  watch [--bucket <name>] [--interval <seconds>]
        starts import-audience for each new object under imports/ (default bucket: $AUDIENCE_BUCKET or ${DEFAULT_LOCAL_BUCKET})
  preview <s3://bucket/key | file:///path> [--rows <n>]
        shows what an import would produce and reject, producing nothing
  up | down | status
        starts, stops or shows the embedded Kafka broker and AWS emulator`;

/** Parses `--flag value` options after the positional arguments; throws naming an unknown or valueless flag. */
function parseArgs(args: string[], flags: readonly string[], switches: readonly string[] = []) {
  const positional: string[] = [];
  const values: Record<string, string> = {};
  const on = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const name = arg.slice(2);
    if (switches.includes(name)) on.add(name);
    else if (flags.includes(name)) {
      const value = args[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      values[name] = value;
    } else throw new UsageError(`unknown option ${arg}`);
  }
  return { positional, values, on };
}

class UsageError extends Error {}

function readInput(text: string): unknown {
  const source = text.startsWith('@') ? resolve(text.slice(1)) : undefined;
  const json = source ? readFileSync(source, 'utf8') : text;
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new UsageError(`--input ${source ?? ''}: not valid JSON: ${(error as Error).message}`);
  }
}

async function run(args: string[]): Promise<number> {
  const { positional, values, on } = parseArgs(args, ['input', 'name'], ['verbose']);
  const workflow = allWorkflows.find((w) => w.name === positional[0]);
  if (!workflow) throw new UsageError(`unknown workflow '${positional[0] ?? ''}'`);
  if (values.input === undefined) throw new UsageError('run needs --input <json | @file>');
  const input = readInput(values.input);
  // A workflow whose steps touch nothing (Pass, Choice, Wait; jobs without needs) runs without the services.
  const services = needsLocalServices(workflow);
  if (services) await prepareLocalResources();
  const report = new ConsoleReport({
    verbose: on.has('verbose'),
    totals: services ? await expectedRows(input) : {},
  });
  const execution = await runWorkflowLocally(workflow, input, {
    onEvent: report.onEvent,
    ...(values.name ? { name: values.name } : {}),
  });
  report.summary(execution);
  return execution.status === 'SUCCEEDED' ? 0 : 1;
}

/** For an export, the rows its import produced (from the status table): the progress bar's total. */
async function expectedRows(input: unknown): Promise<Record<string, number>> {
  const importId = (input as { importId?: unknown; exportId?: unknown })?.importId;
  if (typeof importId !== 'string' || (input as { exportId?: unknown }).exportId === undefined) return {};
  const config = runtimeConfig(process.env);
  const dynamodb = dynamodbClient(config);
  try {
    const item = await readStatusItem(dynamodb, config.statusTable, importId);
    return typeof item?.rowsProduced === 'number' ? { ExportToS3: item.rowsProduced } : {};
  } finally {
    dynamodb.destroy();
  }
}

async function watch(args: string[]): Promise<number> {
  const { values } = parseArgs(args, ['bucket', 'interval']);
  const bucket = values.bucket ?? process.env.AUDIENCE_BUCKET ?? DEFAULT_LOCAL_BUCKET;
  const interval = Number(values.interval ?? '2');
  if (!(interval > 0))
    throw new UsageError(`--interval: expected a positive number of seconds, got '${values.interval}'`);
  const { s3 } = await prepareLocalResources(bucket);
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const watcher = new ImportWatcher(s3, bucket, {
    onOutcome: (outcome) => {
      if (outcome.kind === 'started') {
        console.log(
          `s3://${bucket}/${outcome.key}: started import-audience execution ${outcome.executionName}`,
        );
        outcome.execution.then(
          (execution) =>
            console.log(
              `${execution.name}: ${execution.status}${execution.failedState ? ` at ${execution.failedState}: ${execution.cause}` : ''}`,
            ),
          (error: unknown) => console.error(`${outcome.executionName}: ${(error as Error).message}`),
        );
      } else if (outcome.kind === 'already-started') {
        console.log(
          `s3://${bucket}/${outcome.key}: execution ${outcome.executionName} already exists (absorbed)`,
        );
      } else console.log(`s3://${bucket}/${outcome.key}: skipped: ${outcome.reason}`);
    },
  });
  console.log(`watching s3://${bucket}/imports/ every ${interval} s (Ctrl-C to stop)`);
  await watcher.watch(interval * 1000, controller.signal);
  return 0;
}

async function preview(args: string[]): Promise<number> {
  const { positional, values } = parseArgs(args, ['rows']);
  const uri = positional[0];
  if (!uri) throw new UsageError('preview needs a source: s3://bucket/key or file:///path');
  const rows = Number(values.rows ?? '10');
  const s3 = uri.startsWith('s3://') ? (await prepareLocalResources()).s3 : undefined;
  const result = await previewImport(uri, { rows, ...(s3 ? { s3 } : {}) });
  console.log(`${result.source}: columns ${result.columns.join(', ')}`);
  console.log(`\nfirst ${result.produced.length} records as they would be produced (key → value):`);
  for (const record of result.produced)
    console.log(`  line ${record.line}: ${record.key} → ${JSON.stringify(record.value)}`);
  console.log(`\n${result.rejections.length} rejected rows:`);
  for (const r of result.rejections)
    console.log(
      `  line ${r.line}${r.column ? ` (${r.column})` : ''}: ${r.reason}   ${JSON.stringify(r.raw)}`,
    );
  console.log(
    `\n${result.rowsRead} rows read${result.complete ? ' (whole file)' : ' (first rows only)'}: ${result.rowsValid} valid, ${result.rejections.length} rejected. Nothing was produced.`,
  );
  return 0;
}

async function services(command: 'up' | 'down' | 'status'): Promise<number> {
  if (command === 'down') {
    const stopped = await stopLocalServices();
    console.log(stopped.length > 0 ? `stopped ${stopped.join(', ')}` : 'nothing was running');
    return 0;
  }
  if (command === 'up') await ensureLocalServices();
  const statuses = await localServicesStatus();
  for (const s of statuses) {
    console.log(
      `${s.name.padEnd(6)} ${s.source.padEnd(9)} ${s.address.padEnd(24)} ${s.source === 'stopped' ? 'stopped' : s.answering ? 'answering' : 'NOT answering'}`,
    );
  }
  return statuses.every((s) => s.answering) ? 0 : 3;
}

async function main([command, ...args]: string[]): Promise<number> {
  switch (command) {
    case 'run':
      return run(args);
    case 'watch':
      return watch(args);
    case 'preview':
      return preview(args);
    case 'up':
    case 'down':
    case 'status':
      return services(command);
    default:
      throw new UsageError(command === undefined ? 'no command' : `unknown command '${command}'`);
  }
}

/** Runs one command line; exits with its code (2 on bad usage). */
export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof UsageError) console.error(`${error.message}\n${USAGE}`);
      else console.error(error instanceof Error ? error.message : error);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
