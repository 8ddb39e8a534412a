import { expect } from 'chai';
import type { PlanResult } from '../../infra/plan-run.ts';
import { importEventInputTransformer, importEventPattern } from '../../workflows/import-trigger.ts';
import {
  parsedJson,
  plannedSecretStack,
  plannedStacks,
  resourceNamed,
  resourcesOfType,
  SASL_PASSWORD,
} from './stack.ts';

interface Container {
  environment: { name: string; value: string }[];
  secrets: { name: string; valueFrom: string }[];
}

/** Environment variable names that would carry a credential in plain text. */
const SECRET_NAME = /PASSWORD|SECRET(?!_ARN$)|TOKEN|CREDENTIAL|PRIVATE_KEY/;

function plainEnvironment(plan: PlanResult): { owner: string; name: string; value: string }[] {
  const fromLambda = resourcesOfType(plan, 'aws:lambda/function:Function').flatMap((fn) =>
    Object.entries((fn.inputs.environment as { variables?: Record<string, string> }).variables ?? {}).map(
      ([name, value]) => ({ owner: fn.name, name, value }),
    ),
  );
  const fromTasks = resourcesOfType(plan, 'aws:ecs/taskDefinition:TaskDefinition').flatMap((task) =>
    parsedJson<Container[]>(task.inputs.containerDefinitions).flatMap((c) =>
      c.environment.map(({ name, value }) => ({ owner: task.name, name, value })),
    ),
  );
  return [...fromLambda, ...fromTasks];
}

/** Policy rules, each checked on every test stack (dev, Pulumi secret with a new VPC, public Kafka). */
for (const [stack, planned] of plannedStacks) {
  describe(`infra policy checks: ${stack} stack (Pulumi mocks)`, () => {
    let plan: PlanResult;
    before(async () => {
      plan = await planned();
    });

    it('the audience bucket is encrypted at rest', () => {
      const [encryption] = resourcesOfType(
        plan,
        'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
      );
      expect(encryption?.inputs.bucket).to.equal(
        resourceNamed(plan, 'aws:s3/bucket:Bucket', 'audience-io-audience-bucket').state.id,
      );
      expect(encryption?.inputs.rules).to.deep.equal([
        { applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms' }, bucketKeyEnabled: true },
      ]);
    });

    it('the audience bucket blocks all public access', () => {
      const [block] = resourcesOfType(plan, 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock');
      expect(block?.inputs).to.deep.include({
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      });
    });

    it('the audience bucket accepts TLS requests only', () => {
      const bucket = resourceNamed(plan, 'aws:s3/bucket:Bucket', 'audience-io-audience-bucket');
      const [policy] = resourcesOfType(plan, 'aws:s3/bucketPolicy:BucketPolicy');
      expect(parsedJson(policy?.inputs.policy)).to.deep.equal({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [bucket.state.arn, `${bucket.state.arn}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      });
    });

    it('rejected rows under rejects/ expire', () => {
      const [lifecycle] = resourcesOfType(
        plan,
        'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration',
      );
      expect(lifecycle?.inputs.rules).to.deep.include({
        id: 'expire-rejects',
        status: 'Enabled',
        filter: { prefix: 'rejects/' },
        expiration: { days: 30 },
      });
    });

    it('the audience bucket sends its events to EventBridge', () => {
      const [notification] = resourcesOfType(plan, 'aws:s3/bucketNotification:BucketNotification');
      expect(notification?.inputs.eventbridge).to.equal(true);
    });

    it('objects created under imports/ start the import starter with the bucket and key', () => {
      const bucket = resourceNamed(plan, 'aws:s3/bucket:Bucket', 'audience-io-audience-bucket');
      const [rule] = resourcesOfType(plan, 'aws:cloudwatch/eventRule:EventRule');
      const [target] = resourcesOfType(plan, 'aws:cloudwatch/eventTarget:EventTarget');
      const starter = resourceNamed(
        plan,
        'aws:sfn/stateMachine:StateMachine',
        'audience-io-import-starter-state-machine',
      );
      expect(parsedJson(rule?.inputs.eventPattern)).to.deep.equal(
        importEventPattern(String(bucket.state.bucket)),
      );
      expect(target?.inputs).to.deep.include({ arn: starter.state.arn, rule: rule?.state.name });
      expect(target?.inputs.inputTransformer).to.deep.equal(importEventInputTransformer);
    });

    it('the status table is on demand with point-in-time recovery', () => {
      const [table] = resourcesOfType(plan, 'aws:dynamodb/table:Table');
      expect(table?.inputs).to.deep.include({
        billingMode: 'PAY_PER_REQUEST',
        pointInTimeRecovery: { enabled: true },
      });
    });

    it('ECR scans images on push', () => {
      const [repository] = resourcesOfType(plan, 'awsx:ecr:Repository');
      expect(repository?.inputs.imageScanningConfiguration).to.deep.equal({ scanOnPush: true });
    });

    it('ECR image tags are immutable', () => {
      const [repository] = resourcesOfType(plan, 'awsx:ecr:Repository');
      expect(repository?.inputs.imageTagMutability).to.equal('IMMUTABLE');
    });

    it('ECR forgets old images', () => {
      const repository = resourceNamed(plan, 'awsx:ecr:Repository', 'audience-io-image-repository');
      const rules = (repository.inputs.lifecyclePolicy as { rules: { tagStatus: string }[] }).rules;
      expect(rules.map((r) => r.tagStatus)).to.deep.equal(['untagged', 'any']);
    });

    it('state machine logging is on, without execution data', () => {
      const machines = resourcesOfType(plan, 'aws:sfn/stateMachine:StateMachine');
      expect(machines).to.have.length(3);
      for (const machine of machines) {
        const logging = machine.inputs.loggingConfiguration as Record<string, unknown>;
        expect(logging, machine.name).to.deep.include({
          includeExecutionData: false,
          // ALL by default (dev, public); the secret stack sets ERROR.
          level: stack === 'secret' ? 'ERROR' : 'ALL',
        });
        expect(logging.logDestination, machine.name).to.match(
          /^arn:aws:logs:.*:log-group:\/aws\/vendedlogs\/states\/.+:\*$/,
        );
      }
    });

    it('state machines are traced with X-Ray', () => {
      for (const machine of resourcesOfType(plan, 'aws:sfn/stateMachine:StateMachine')) {
        expect(machine.inputs.tracingConfiguration, machine.name).to.deep.equal({ enabled: true });
      }
    });

    it('Lambda functions are traced with X-Ray', () => {
      const functions = resourcesOfType(plan, 'aws:lambda/function:Function');
      expect(functions).to.not.be.empty;
      for (const fn of functions) expect(fn.inputs.tracingConfig, fn.name).to.deep.equal({ mode: 'Active' });
    });

    it('every log group has a retention', () => {
      const groups = resourcesOfType(plan, 'aws:cloudwatch/logGroup:LogGroup');
      expect(groups.length).to.equal(
        resourcesOfType(plan, 'aws:lambda/function:Function').length +
          resourcesOfType(plan, 'aws:ecs/taskDefinition:TaskDefinition').length +
          resourcesOfType(plan, 'aws:sfn/stateMachine:StateMachine').length,
      );
      for (const group of groups) expect(group.inputs.retentionInDays, group.name).to.equal(30);
    });

    it('no secret in a plain environment variable', () => {
      const environment = plainEnvironment(plan);
      expect(environment).to.not.be.empty;
      for (const variable of environment) {
        expect(SECRET_NAME.test(variable.name), `${variable.owner} ${variable.name}`).to.equal(false);
        expect(variable.value, `${variable.owner} ${variable.name}`).to.not.contain(SASL_PASSWORD);
      }
      // Tasks get the credentials through the task definition's secrets, from Secrets Manager.
      for (const task of resourcesOfType(plan, 'aws:ecs/taskDefinition:TaskDefinition')) {
        const [container] = parsedJson<Container[]>(task.inputs.containerDefinitions);
        if (container!.environment.some((e) => e.name === 'KAFKA_BROKERS')) {
          expect(
            container!.secrets.map((s) => s.name),
            task.name,
          ).to.deep.equal(['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']);
          for (const secret of container!.secrets)
            expect(secret.valueFrom).to.match(/^arn:aws:secretsmanager:.+:(username|password)::$/);
        }
      }
    });
  });
}

describe('infra policy checks: SASL password given as a Pulumi secret', () => {
  it('is stored only in the Secrets Manager secret, never in another resource', async () => {
    const plan = await plannedSecretStack();
    const holders = plan.resources.filter((r) => JSON.stringify(r.inputs).includes(SASL_PASSWORD));
    expect(holders.map((r) => r.type)).to.deep.equal(['aws:secretsmanager/secretVersion:SecretVersion']);
    const secret = resourceNamed(plan, 'aws:secretsmanager/secret:Secret', 'audience-io-kafka-secret');
    const lambda = resourceNamed(
      plan,
      'aws:lambda/function:Function',
      'audience-io-send-end-marker-lambda-function',
    );
    expect(
      (lambda.inputs.environment as { variables: Record<string, string> }).variables.KAFKA_SASL_SECRET_ARN,
    ).to.equal(secret.state.arn);
  });

  it('a new VPC with a NAT gateway places tasks in its private subnets without public IPs', async () => {
    const plan = await plannedSecretStack();
    const vpc = resourceNamed(plan, 'awsx:ec2:Vpc', 'audience-io-network-vpc');
    expect(vpc.inputs).to.deep.include({
      numberOfAvailabilityZones: 3,
      natGateways: { strategy: 'Single' },
    });
    const definition = parsedJson<{
      States: Record<string, { Parameters?: { NetworkConfiguration?: unknown } }>;
    }>(
      resourceNamed(plan, 'aws:sfn/stateMachine:StateMachine', 'audience-io-import-audience-state-machine')
        .inputs.definition,
    );
    const network = definition.States.ImportOnFargate?.Parameters?.NetworkConfiguration;
    expect(network).to.deep.equal({
      AwsvpcConfiguration: {
        Subnets: (vpc.state.privateSubnetIds as string[]).slice(0, 3),
        SecurityGroups: [
          resourceNamed(plan, 'aws:ec2/securityGroup:SecurityGroup', 'audience-io-network-jobs').state.id,
        ],
        AssignPublicIp: 'DISABLED',
      },
    });
  });
});
