// kcat (librdkafka's command-line client): the reference the import and the export are measured against.
import { measureProcess, type ProcessRun } from '../import/measure.ts';

function checked(run: ProcessRun, what: string): ProcessRun {
  if (run.exitCode !== 0)
    throw new Error(`${what} failed (exit ${run.exitCode}): ${run.stderr.slice(-1000)}`);
  return run;
}

/** `kcat -P`: produces every line of `file` as a record (key before `keyDelimiter`), acks=all. */
export async function kcatProduce(
  brokers: string,
  topic: string,
  file: string,
  options: { keyDelimiter: string; headers?: string[] },
): Promise<ProcessRun> {
  const headers = (options.headers ?? []).flatMap((header) => ['-H', header]);
  const args = ['-P', '-b', brokers, '-t', topic, '-K', options.keyDelimiter, ...headers, '-X', 'acks=all'];
  return checked(await measureProcess('kcat', [...args, '-l', file], process.env), 'kcat -P');
}

/** `kcat -C`: reads a whole topic read_committed from the beginning to its end, printing each value to nowhere. */
export async function kcatConsume(brokers: string, topic: string): Promise<ProcessRun> {
  const args = ['-C', '-b', brokers, '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\\n'];
  const run = await measureProcess(
    'sh',
    ['-c', `kcat "$@" > /dev/null`, 'kcat', ...args, '-X', 'isolation.level=read_committed'],
    process.env,
  );
  return checked(run, 'kcat -C');
}
