import { StateMachine } from 'aws-local-stepfunctions';
import { expect } from 'chai';
import { envVarName } from '../../dsl/index.ts';
import { audienceStatus, importAudience, planImport, sendEndMarker } from '../../jobs/index.ts';
import { jobInputFromEnv, parseJobInput } from '../../jobs/runtime/job-input.ts';
import { importAudienceWorkflow } from '../../workflows/index.ts';
import { render } from './render.ts';

type Json = Parameters<StateMachine['run']>[0];

/**
 * Type-to-runtime agreement: the compiled import workflow runs under a real ASL interpreter
 * (aws-local-stepfunctions); each Task handler records exactly what the state sent, and each job's
 * schema must accept it and yield the values its typed step declared.
 */
describe('compiled import workflow under aws-local-stepfunctions', () => {
  const input = {
    importId: 'imp-42',
    userSegmentationId: 'seg-7',
    s3Bucket: 'audience-bucket',
    s3Key: 'imports/seg-7/imp-42.csv',
  };
  const received: Record<string, Record<string, unknown>> = {};
  const executionArn = 'arn:aws:states:us-east-1:123456789012:execution:audience-io-import-audience:imp-42';
  let output: unknown;
  const plan = {
    executor: 'fargate',
    reason: 'object of 300 MiB',
    objectBytes: 314_572_800,
    etag: '"0a1b"',
    compressed: false,
    shards: [],
    maxConcurrency: 16,
  };

  before(async () => {
    // GIVEN handlers that record the integration parameters and answer as Lambda and ECS do
    const { definition } = render(importAudienceWorkflow);
    const record = (state: string, answer: (params: Record<string, unknown>) => Json) => (params: Json) => {
      received[state] = params as Record<string, unknown>;
      return answer(received[state]);
    };
    const lambda = (result: Json) => () => ({ Payload: result });
    const ecsTask = () => ({
      TaskArn: 'arn:aws:ecs:us-east-1:123456789012:task/audience-io/1',
      LastStatus: 'STOPPED',
    });
    const machine = new StateMachine(definition as never, {
      validationOptions: { checkArn: true, checkPaths: true },
    });
    // WHEN
    const execution = machine.run(input, {
      // The interpreter has no execution of its own: give the context object what Step Functions would.
      context: { Execution: { Id: executionArn, Name: 'imp-42', StartTime: new Date().toISOString() } },
      overrides: {
        taskResourceLocalHandlers: {
          UpdateAudienceStatusToImporting: record(
            'UpdateAudienceStatusToImporting',
            lambda({ jobId: 'imp-42', status: 'importing', changed: true }),
          ),
          PlanImport: record('PlanImport', lambda(plan)),
          ImportOnFargate: record('ImportOnFargate', ecsTask),
          SendEndMarker: record(
            'SendEndMarker',
            lambda({ topic: 't', partitions: 3, rowsProduced: 9, rowsRejected: 1 }),
          ),
          UpdateAudienceStatusToImported: record(
            'UpdateAudienceStatusToImported',
            lambda({ jobId: 'imp-42', status: 'imported', changed: true }),
          ),
        },
      },
    });
    output = await execution.result;
  });

  it('gives audience-status exactly the payload of UpdateAudienceStatusToImporting', () => {
    // THEN
    const params = received.UpdateAudienceStatusToImporting!;
    expect(params.FunctionName).to.equal(
      'arn:aws:lambda:us-east-1:123456789012:function:audience-io-audience-status',
    );
    expect(parseJobInput(audienceStatus, params.Payload)).to.deep.equal({
      jobId: 'imp-42',
      jobKind: 'import',
      userSegmentationId: 'seg-7',
      event: 'start_importing',
      assumedAfterState: 'importing',
      executionArn,
      objectKey: 'imports/seg-7/imp-42.csv',
    });
  });

  it('gives plan-import the object to plan', () => {
    expect(parseJobInput(planImport, received.PlanImport!.Payload)).to.deep.equal({
      importId: 'imp-42',
      s3Bucket: 'audience-bucket',
      s3Key: 'imports/seg-7/imp-42.csv',
    });
  });

  it('gives import-audience exactly the environment of ImportOnFargate, in UPPER_SNAKE_CASE', () => {
    const overrides = received.ImportOnFargate!.Overrides as {
      ContainerOverrides: {
        Name: string;
        Environment: { Name: string; Value: string }[];
        Command: string[];
      }[];
    };
    const [container] = overrides.ContainerOverrides;
    const environment = Object.fromEntries(container!.Environment.map((e) => [e.Name, e.Value]));
    expect(environment).to.deep.equal({
      IMPORT_ID: 'imp-42',
      USER_SEGMENTATION_ID: 'seg-7',
      S3_BUCKET: 'audience-bucket',
      S3_KEY: 'imports/seg-7/imp-42.csv',
      SOURCE_ETAG: '"0a1b"',
    });
    expect(Object.keys(environment)).to.deep.equal(
      ['importId', 'userSegmentationId', 's3Bucket', 's3Key', 'sourceEtag'].map(envVarName),
    );
    expect(jobInputFromEnv(importAudience, environment)).to.deep.equal({
      ...input,
      sourceEtag: '"0a1b"',
      maxRejectedRows: 1000,
    });
    expect(container!.Command).to.deep.equal(['dist/jobs.mjs', 'import-audience']);
  });

  it('gives send-end-marker and the final status update the payloads their steps declared', () => {
    expect(parseJobInput(sendEndMarker, received.SendEndMarker!.Payload)).to.deep.equal({
      jobId: 'imp-42',
      jobKind: 'import',
      userSegmentationId: 'seg-7',
    });
    expect(parseJobInput(audienceStatus, received.UpdateAudienceStatusToImported!.Payload)).to.deep.equal({
      jobId: 'imp-42',
      jobKind: 'import',
      userSegmentationId: 'seg-7',
      event: 'finish_importing',
      assumedAfterState: 'imported',
      executionArn,
    });
  });

  it('places results where the types say: the end marker at $.endMarker.Payload, the status at $.status.Payload', () => {
    expect(output).to.deep.equal({
      ...input,
      plan: { Payload: plan },
      endMarker: { Payload: { topic: 't', partitions: 3, rowsProduced: 9, rowsRejected: 1 } },
      status: { Payload: { jobId: 'imp-42', status: 'imported', changed: true } },
    });
  });
});
