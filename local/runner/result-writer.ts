import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { ServiceClients } from './service-tasks.ts';

/** The resource of the Task state that stands in for a distributed map's ResultWriter locally. */
export const LOCAL_RESULT_WRITER = 'arn:aws:states:::local:mapResultWriter';

/** Suffixes of the names of the map and of that Task state inside the Parallel (names are unique in a definition). */
const MAP_SUFFIX = ' (map)';
const WRITER_SUFFIX = ' (ResultWriter)';

type States = Record<string, Record<string, unknown>>;

/**
 * The definition with every Map that has a ResultWriter rewritten into ASL the local interpreter runs (it ignores
 * ResultWriter and would hand the results array to the ResultSelector): a one-branch Parallel of the same name,
 * holding the map (without its ResultWriter, named `<name> (map)`) and then a Task that writes the results to S3 as Step Functions
 * does and answers `{ MapRunArn, ResultWriterDetails }`. The Parallel keeps the map's ResultSelector (its paths
 * read the branch's answer, `$[0]`), ResultPath, Retry, Catch and transition: the state after it sees what AWS gives.
 */
export function withLocalResultWriters<D extends { States: Record<string, unknown> }>(definition: D): D {
  return { ...definition, States: rewriteStates(definition.States as States) };
}

function rewriteStates(states: States): States {
  return Object.fromEntries(
    Object.entries(states).map(([name, state]) => [name, rewriteState(name, nested(state))]),
  );
}

/** The state with the states of its branches and item processor rewritten. */
function nested(state: Record<string, unknown>): Record<string, unknown> {
  const scope = (s: unknown) => {
    const body = s as { States: States };
    return { ...body, States: rewriteStates(body.States) };
  };
  return {
    ...state,
    ...(state.Branches ? { Branches: (state.Branches as unknown[]).map(scope) } : {}),
    ...(state.ItemProcessor ? { ItemProcessor: scope(state.ItemProcessor) } : {}),
  };
}

function rewriteState(name: string, state: Record<string, unknown>): Record<string, unknown> {
  if (state.Type !== 'Map' || !state.ResultWriter) return state;
  const { ResultWriter, ResultSelector, ResultPath, Retry, Catch, Next, End, Comment, ...map } = state;
  const writer = ResultWriter as { Parameters: Record<string, unknown> };
  const mapName = `${name}${MAP_SUFFIX}`;
  const writerName = `${name}${WRITER_SUFFIX}`;
  return {
    Type: 'Parallel',
    ...(Comment === undefined ? {} : { Comment }),
    Branches: [
      {
        StartAt: mapName,
        States: {
          [mapName]: { ...map, Next: writerName },
          [writerName]: {
            Type: 'Task',
            Resource: LOCAL_RESULT_WRITER,
            Parameters: { ...writer.Parameters, 'Results.$': '$', MapName: name },
            End: true,
          },
        },
      },
    ],
    ResultSelector: ResultSelector
      ? onFirstBranch(ResultSelector as Record<string, unknown>)
      : { 'MapRunArn.$': '$[0].MapRunArn', 'ResultWriterDetails.$': '$[0].ResultWriterDetails' },
    ...(ResultPath === undefined ? {} : { ResultPath }),
    ...(Retry === undefined ? {} : { Retry }),
    ...(Catch === undefined ? {} : { Catch }),
    ...(Next === undefined ? {} : { Next }),
    ...(End === undefined ? {} : { End }),
  };
}

/** A ResultSelector whose paths read the first branch's answer instead of the map's result. */
function onFirstBranch(selector: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(selector).map(([key, value]) => {
      if (key.endsWith('.$') && typeof value === 'string') {
        return [key, value.replace(/(?<![$\w])\$(?![$\w])/g, '$[0]')];
      }
      if (value && typeof value === 'object' && !Array.isArray(value))
        return [key, onFirstBranch(value as Record<string, unknown>)];
      return [key, value];
    }),
  );
}

/**
 * The local ResultWriter: writes the map's results under `<Prefix>/<map run id>/` as Step Functions does (one
 * `SUCCEEDED_0.json` of the child executions, the `manifest.json` naming it) and answers as the map would.
 */
export function mapResultWriterTask(
  services: () => ServiceClients,
  executionArn: () => string,
): (parameters: unknown) => Promise<unknown> {
  return async (parameters) => {
    const { Bucket, Prefix, Results, MapName } = parameters as {
      Bucket: string;
      Prefix: string;
      Results: unknown[];
      MapName: string;
    };
    const { s3 } = services();
    const runId = randomUUID();
    const mapRunArn = `${executionArn().replace(':execution:', ':mapRun:')}/${MapName}:${runId}`;
    const folder = `${Prefix.replace(/\/$/, '')}/${runId}`;
    const results = JSON.stringify(
      Results.map((output, index) => ({
        ExecutionArn: `${mapRunArn}:${index}`,
        Output: JSON.stringify(output),
        Status: 'SUCCEEDED',
      })),
    );
    const manifest = JSON.stringify({
      DestinationBucket: Bucket,
      MapRunArn: mapRunArn,
      ResultFiles: {
        FAILED: [],
        PENDING: [],
        SUCCEEDED: [{ Key: `${folder}/SUCCEEDED_0.json`, Size: Buffer.byteLength(results) }],
      },
    });
    // The bucket `pulumi up` would have created (the runner's placeholder bindings name it).
    await s3.send(new CreateBucketCommand({ Bucket })).catch((error: unknown) => {
      const name = (error as Error).name;
      if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw error;
    });
    await s3.send(new PutObjectCommand({ Bucket, Key: `${folder}/SUCCEEDED_0.json`, Body: results }));
    await s3.send(new PutObjectCommand({ Bucket, Key: `${folder}/manifest.json`, Body: manifest }));
    return { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket, Key: `${folder}/manifest.json` } };
  };
}
