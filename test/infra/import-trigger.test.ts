import { StateMachine } from 'aws-local-stepfunctions';
import { expect } from 'chai';
import { compileWorkflow, placeholderBindings } from '../../dsl/index.ts';
import { handlers } from '../../jobs/runtime/lambda.ts';
import {
  type ImportWorkflowInput,
  importEventInputTransformer,
  importExecutionName,
  importInputFromObject,
  NOT_AN_IMPORT_KEY,
  NotAnImportKeyError,
} from '../../workflows/import-trigger.ts';
import { importAudienceWorkflow, importStarterWorkflow } from '../../workflows/index.ts';
import { NOT_IMPORT_KEYS, shortKey } from './import-keys.ts';

const bindings = placeholderBindings();
const IMPORT_MACHINE = bindings.stateMachineArn(importAudienceWorkflow.name);
/** The import starter workflow compiled as it is deployed, with placeholder ARNs. */
const starter = compileWorkflow(importStarterWorkflow, bindings);

/** A StartExecution request the import starter made. */
interface StartRequest {
  StateMachineArn: string;
  Name: string;
  Input: ImportWorkflowInput;
}

/**
 * Runs the import starter's compiled ASL as AWS would: its key step calls the import-key job's real Lambda
 * handler with the step's payload, and StartExecution is answered by `start`.
 */
async function runStarter(s3Key: string, start: (request: StartRequest) => unknown = () => ({})) {
  const requests: StartRequest[] = [];
  const machine = new StateMachine(starter.definition as never);
  const execution = machine.run(
    // What the EventBridge input transformer hands over.
    { s3Bucket: 'audience-bucket', s3Key },
    {
      overrides: {
        taskResourceLocalHandlers: {
          ReadImportKey: async (request) =>
            ({ Payload: await handlers.importKey!((request as { Payload: unknown }).Payload) }) as never,
          StartImport: (request) => {
            requests.push(request as unknown as StartRequest);
            return start(request as unknown as StartRequest) as never;
          },
        },
      },
    },
  );
  return { result: await execution.result, requests };
}

describe('workflows/import-trigger: object key → import input', () => {
  it('maps imports/<userSegmentationId>/<importId>.csv to the import workflow input', () => {
    expect(
      importInputFromObject({ s3Bucket: 'b', s3Key: 'imports/segment-7/imp_2024-01.csv' }),
    ).to.deep.equal({
      importId: 'imp_2024-01',
      userSegmentationId: 'segment-7',
      s3Bucket: 'b',
      s3Key: 'imports/segment-7/imp_2024-01.csv',
    });
  });

  it('maps imports/<userSegmentationId>/<importId>.csv.gz (gzip) the same way', () => {
    expect(
      importInputFromObject({ s3Bucket: 'b', s3Key: `imports/s/${'i'.repeat(80)}.csv.gz` }),
    ).to.deep.include({
      importId: 'i'.repeat(80),
      userSegmentationId: 's',
    });
  });

  for (const key of Object.keys(NOT_IMPORT_KEYS)) {
    it(`rejects '${shortKey(key)}' naming the key and the layout`, () => {
      expect(() => importInputFromObject({ s3Bucket: 'b', s3Key: key })).to.throw(
        NotAnImportKeyError,
        `Object key '${key}' in bucket 'b' is not an import: expected imports/<userSegmentationId>/<importId>.csv or .csv.gz`,
      );
    });
  }

  it('names the execution after the import id, so a second start of one import is refused', () => {
    const input = importInputFromObject({ s3Bucket: 'b', s3Key: 'imports/s/imp-42.csv' });
    expect(importExecutionName(input)).to.equal('imp-42');
  });

  it('the input transformer hands the starter the bucket and key of the event', () => {
    // An S3 "Object Created" event as EventBridge delivers it, through the transformer's paths.
    const event = {
      detail: { bucket: { name: 'audience-bucket' }, object: { key: 'imports/s/i.csv', size: 10 } },
    };
    const values = Object.fromEntries(
      Object.entries(importEventInputTransformer.inputPaths).map(([name, path]) => [
        name,
        path
          .slice(2)
          .split('.')
          .reduce<unknown>((node, field) => (node as Record<string, unknown>)[field], event),
      ]),
    );
    const input = importEventInputTransformer.inputTemplate.replace(/<(\w+)>/g, (_, name: string) =>
      JSON.stringify(values[name]),
    );
    expect(JSON.parse(input)).to.deep.equal({ s3Bucket: 'audience-bucket', s3Key: 'imports/s/i.csv' });
  });
});

describe('workflows/import-starter: the import starter workflow', () => {
  it('compiles without issues, asl-validator included', () => {
    expect(starter.issues).to.deep.equal([]);
  });

  it('may read the key with the import-key function and start the import workflow, nothing else', () => {
    const importKeyFunction = 'arn:aws:lambda:us-east-1:123456789012:function:audience-io-import-key';
    expect(starter.permissions).to.deep.equal([
      {
        Effect: 'Allow',
        Action: ['lambda:InvokeFunction'],
        Resource: [importKeyFunction, `${importKeyFunction}:*`],
      },
      { Effect: 'Allow', Action: ['states:StartExecution'], Resource: [IMPORT_MACHINE] },
    ]);
  });

  it('retries the key step on Lambda throttling, as every Lambda step', () => {
    const retry = (
      starter.definition.States.ReadImportKey as unknown as { Retry: { ErrorEquals: string[] }[] }
    ).Retry;
    expect(retry[0]?.ErrorEquals).to.include('Lambda.TooManyRequestsException');
  });

  for (const key of [
    'imports/segment-7/imp_2024-01.csv',
    'imports/S/1.csv',
    'imports/a-b_c/Z-9_x.csv',
    'imports/s/i.csv.gz',
  ]) {
    it(`starts the import of ${key} with the same input and name as importInputFromObject`, async () => {
      const { requests } = await runStarter(key);
      const expected = importInputFromObject({ s3Bucket: 'audience-bucket', s3Key: key });
      expect(requests).to.deep.equal([
        { StateMachineArn: IMPORT_MACHINE, Name: importExecutionName(expected), Input: expected },
      ]);
    });
  }

  it('absorbs a duplicate start: ExecutionAlreadyExists ends the starter in success', async () => {
    const { result, requests } = await runStarter('imports/s/imp-1.csv', () => {
      const error = new Error('Execution already exists');
      error.name = 'StepFunctions.ExecutionAlreadyExistsException';
      throw error;
    });
    expect(requests).to.have.length(1);
    expect(result).to.deep.include({ s3Bucket: 'audience-bucket', s3Key: 'imports/s/imp-1.csv' });
    expect((result as { import: { Payload: unknown } }).import.Payload).to.deep.include({
      importId: 'imp-1',
      userSegmentationId: 's',
    });
  });

  for (const key of Object.keys(NOT_IMPORT_KEYS)) {
    it(`fails ${shortKey(key)} as ${NOT_AN_IMPORT_KEY} without starting anything`, async () => {
      let started = 0;
      const run = runStarter(key, () => {
        started += 1;
        return {};
      });
      const error = await run.then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(String((error as Error & { cause?: unknown }).cause)).to.match(
        new RegExp(`^${NOT_AN_IMPORT_KEY}: `),
      );
      expect(started).to.equal(0);
    });
  }
});
