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

  describe('import-audience has the shape of the talk: the executor chosen by a plan', () => {
    const { definition } = render(importAudienceWorkflow);
    const state = (name: string) => definition.States[name] as unknown as Record<string, unknown>;

    it('UpdateAudienceStatusToImporting is a lambda:invoke with the event, assumed after-state and execution ARN', () => {
      expect(state('UpdateAudienceStatusToImporting')).to.include({
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Next: 'PlanImport',
      });
      expect(state('UpdateAudienceStatusToImporting').Parameters).to.deep.equal({
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

    it('the plan picks one of three paths: Lambda, shards, or one Fargate task otherwise', () => {
      expect(state('PlanImport')).to.include({ ResultPath: '$.plan', Next: 'ChooseExecutor' });
      expect(state('ChooseExecutor')).to.deep.equal({
        Type: 'Choice',
        Choices: [
          { Variable: '$.plan.Payload.executor', StringEquals: 'lambda', Next: 'ImportOnLambda' },
          { Variable: '$.plan.Payload.executor', StringEquals: 'sharded', Next: 'ImportShards' },
        ],
        Default: 'ImportOnFargate',
      });
    });

    it('ImportOnFargate is an ecs:runTask.sync with the job input, If-Match on the planned ETag', () => {
      expect(state('ImportOnFargate')).to.include({
        Type: 'Task',
        Resource: 'arn:aws:states:::ecs:runTask.sync',
        Next: 'SendEndMarker',
      });
      const parameters = state('ImportOnFargate').Parameters as Record<string, unknown>;
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
              { Name: 'SOURCE_ETAG', 'Value.$': '$.plan.Payload.etag' },
            ],
            Command: ['dist/jobs.mjs', 'import-audience'],
          },
        ],
      });
      expect(parameters.NetworkConfiguration)
        .to.have.nested.property('AwsvpcConfiguration.Subnets')
        .with.length(2);
    });

    it('a Lambda import out of time goes on on Fargate; any other failure is recorded', () => {
      expect(state('ImportOnLambda')).to.include({
        Resource: 'arn:aws:states:::lambda:invoke',
        TimeoutSeconds: 900,
      });
      expect(state('ImportOnLambda').Catch).to.deep.equal([
        {
          ErrorEquals: ['ImportTimeBudgetExhausted', 'States.Timeout', 'Lambda.Unknown'],
          ResultPath: '$.lambdaRun',
          Next: 'ImportOnFargate',
        },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'ImportOnLambdaFailed' },
      ]);
    });

    it('shards run as a distributed map of Fargate tasks, then the reduce step closes them or reruns unsharded', () => {
      const map = state('ImportShards');
      expect(map).to.include({
        Type: 'Map',
        ItemsPath: '$.plan.Payload.shards',
        MaxConcurrencyPath: '$.plan.Payload.maxConcurrency',
        ToleratedFailureCount: 0,
        ResultPath: '$.shardRun',
        Next: 'CloseShardedImport',
      });
      expect(map.ResultSelector).to.deep.equal({ 'resultsManifest.$': '$.ResultWriterDetails.Key' });
      expect(map.ItemProcessor).to.have.nested.property('ProcessorConfig.Mode', 'DISTRIBUTED');
      expect(state('ShardsReconciled')).to.deep.equal({
        Type: 'Choice',
        Choices: [
          {
            Variable: '$.reconciled.Payload.outcome',
            StringEquals: 'rerun-unsharded',
            Next: 'ImportOnFargate',
          },
        ],
        Default: 'SendEndMarker',
      });
    });

    it('every task retries with a preset and catches into a MarkImportFailed that records the failed step', () => {
      for (const name of [
        'UpdateAudienceStatusToImporting',
        'PlanImport',
        'ImportOnLambda',
        'ImportOnFargate',
        'ImportShards',
        'CloseShardedImport',
        'SendEndMarker',
        'UpdateAudienceStatusToImported',
      ]) {
        const task = state(name) as { Retry?: unknown[]; Catch: { Next: string }[] };
        if (name !== 'ImportShards') expect(task.Retry, name).to.have.length(1);
        // A stopped import task is run again first (see the Spot test in test/local/stopped-task.test.ts); a
        // Lambda import out of time goes on on Fargate; a shard that failed for good leaves the reduce step to
        // find the chain broken.
        const first = {
          ImportOnFargate: ['ImportOnFargateStopped'],
          ImportOnLambda: ['ImportOnFargate'],
          ImportShards: ['CloseShardedImport'],
        };
        expect(
          task.Catch.map((c) => c.Next),
          name,
        ).to.deep.equal([...(first[name as keyof typeof first] ?? []), `${name}Failed`]);
        expect(definition.States[`${name}Failed`]).to.include({ Next: 'MarkImportFailed' });
      }
      expect(definition.States.MarkImportFailed).to.include({ Next: 'ImportFailed' });
      expect(definition.States.ImportFailed).to.include({ Type: 'Fail' });
    });
  });
});
