import { expect } from 'chai';
import { allWorkflows, importAudienceWorkflow } from '../../workflows/index.ts';
import { jsonText } from '../support/raw-text.ts';
import { render } from './render.ts';

describe('the repository workflows', () => {
  for (const workflow of allWorkflows) {
    describe(workflow.name, () => {
      it('compiles without validation issues, asl-validator included', () => {
        // WHEN
        const { issues } = render(workflow);
        // THEN
        expect(issues).to.deep.equal([]);
      });

      // Snapshots hold the JSON text itself, in ASL key order, so a reviewer reads exactly what is deployed.
      it('compiles to the reviewed ASL', () => {
        expect(jsonText(render(workflow).definition)).toMatchSnapshot();
      });

      it('derives the reviewed IAM statements', () => {
        expect(jsonText(render(workflow).permissions)).toMatchSnapshot();
      });
    });
  }

  describe('import-audience has the shape of the talk', () => {
    const { definition } = render(importAudienceWorkflow);

    it('UpdateAudienceStatusToImporting is a lambda:invoke with the event, assumed after-state and execution ARN', () => {
      const state = definition.States.UpdateAudienceStatusToImporting;
      expect(state).to.include({
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Next: 'ImportToKafka',
      });
      expect(state?.Parameters).to.deep.equal({
        FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:audience-io-audience-status',
        Payload: {
          'jobId.$': '$.importId',
          jobKind: 'import',
          'userSegmentationId.$': '$.userSegmentationId',
          event: 'start_importing',
          assumedAfterState: 'importing',
          'executionArn.$': '$$.Execution.Id',
          'objectKey.$': '$.s3Key',
        },
      });
    });

    it('ImportToKafka is an ecs:runTask.sync on Fargate with the job input as environment', () => {
      const state = definition.States.ImportToKafka;
      expect(state).to.include({
        Type: 'Task',
        Resource: 'arn:aws:states:::ecs:runTask.sync',
        Next: 'SendEndMarker',
      });
      const parameters = state?.Parameters as Record<string, unknown>;
      expect(parameters).to.include({
        LaunchType: 'FARGATE',
        Cluster: 'arn:aws:ecs:us-east-1:123456789012:cluster/audience-io',
        TaskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/audience-io-import-audience:1',
      });
      expect(parameters.Overrides).to.deep.equal({
        ContainerOverrides: [
          {
            Name: 'job',
            Environment: [
              { Name: 'IMPORT_ID', 'Value.$': '$.importId' },
              { Name: 'USER_SEGMENTATION_ID', 'Value.$': '$.userSegmentationId' },
              { Name: 'S3_BUCKET', 'Value.$': '$.s3Bucket' },
              { Name: 'S3_KEY', 'Value.$': '$.s3Key' },
            ],
            Command: ['dist/jobs.mjs', 'import-audience'],
          },
        ],
      });
      expect(parameters.NetworkConfiguration)
        .to.have.nested.property('AwsvpcConfiguration.Subnets')
        .with.length(2);
    });

    it('every task retries with a preset and catches into a MarkImportFailed that records the failed step', () => {
      for (const name of [
        'UpdateAudienceStatusToImporting',
        'ImportToKafka',
        'SendEndMarker',
        'UpdateAudienceStatusToImported',
      ]) {
        const state = definition.States[name] as unknown as { Retry: unknown[]; Catch: { Next: string }[] };
        expect(state.Retry, name).to.have.length(1);
        // A stopped import task is run again first (see the Spot test in test/local/stopped-task.test.ts).
        const stopped = name === 'ImportToKafka' ? [`${name}Stopped`] : [];
        expect(
          state.Catch.map((c) => c.Next),
          name,
        ).to.deep.equal([...stopped, `${name}Failed`]);
        expect(definition.States[`${name}Failed`]).to.include({ Next: 'MarkImportFailed' });
      }
      expect(definition.States.MarkImportFailed).to.include({ Next: 'ImportFailed' });
      expect(definition.States.ImportFailed).to.include({ Type: 'Fail' });
    });
  });
});
