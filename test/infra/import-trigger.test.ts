import { StateMachine } from 'aws-local-stepfunctions';
import { expect } from 'chai';
import { compileWorkflow, placeholderBindings } from '../../dsl/index.ts';
import {
  IMPORT_KEY_PREFIX,
  type ImportWorkflowInput,
  importEventInputTransformer,
  importEventPattern,
  importExecutionName,
  importInputFromObject,
  NOT_AN_IMPORT_KEY,
  NotAnImportKeyError,
} from '../../workflows/import-trigger.ts';
import { importAudienceWorkflow, importStarterWorkflow } from '../../workflows/index.ts';

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

/** Runs the import starter's compiled ASL as AWS would, with StartExecution answered by `start`. */
async function runStarter(s3Key: string, start: (request: StartRequest) => unknown = () => ({})) {
  const requests: StartRequest[] = [];
  const machine = new StateMachine(starter.definition as never);
  const execution = machine.run(
    // What the EventBridge input transformer hands over.
    { s3Bucket: 'audience-bucket', s3Key },
    {
      overrides: {
        taskResourceLocalHandlers: {
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

  for (const key of [
    'imports/segment-7.csv',
    'imports/a/b/c.csv',
    'imports/segment/import.csv.gz',
    'imports/segment/import.json',
    'imports//import.csv',
    'exports/segment/import.csv',
    'imports/seg ment/import.csv',
    `imports/segment/${'x'.repeat(81)}.csv`,
  ]) {
    it(`rejects '${key.length > 40 ? `${key.slice(0, 40)}…` : key}' naming the key and the layout`, () => {
      expect(() => importInputFromObject({ s3Bucket: 'b', s3Key: key })).to.throw(
        NotAnImportKeyError,
        `Object key '${key}' in bucket 'b' is not an import: expected imports/<userSegmentationId>/<importId>.csv`,
      );
    });
  }

  it('names the execution after the import id, so a second start of one import is refused', () => {
    const input = importInputFromObject({ s3Bucket: 'b', s3Key: 'imports/s/imp-42.csv' });
    expect(importExecutionName(input)).to.equal('imp-42');
  });

  it('the event pattern matches objects created under imports/ of the one bucket', () => {
    expect(importEventPattern('audience-bucket')).to.deep.equal({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: {
        bucket: { name: ['audience-bucket'] },
        object: { key: [{ wildcard: `${IMPORT_KEY_PREFIX}*/*.csv` }] },
      },
    });
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

  it('may start the import workflow and nothing else', () => {
    expect(starter.permissions).to.deep.equal([
      { Effect: 'Allow', Action: ['states:StartExecution'], Resource: [IMPORT_MACHINE] },
    ]);
  });

  for (const key of ['imports/segment-7/imp_2024-01.csv', 'imports/S/1.csv', 'imports/a-b_c/Z-9_x.csv']) {
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
    expect(result).to.deep.include({ importId: 'imp-1', userSegmentationId: 's' });
  });

  for (const key of [
    'imports/a/b/c.csv',
    'imports/s/i.csv.gz',
    'imports/s/i.json',
    'imports/i.csv',
    'exports/s/i.csv',
  ]) {
    it(`fails ${key} as ${NOT_AN_IMPORT_KEY} without starting anything`, async () => {
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
