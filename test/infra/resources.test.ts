import { expect } from 'chai';
import { compileWorkflow, type ResourceBindings } from '../../dsl/index.ts';
import type { AnyJob } from '../../dsl/job.ts';
import type { PlanResult } from '../../infra/plan-run.ts';
import { planEntries, renderPlanTree } from '../../infra/plan-view.ts';
import { allJobs as declaredJobs } from '../../jobs/index.ts';
import { fargateCommand, fargateEntryPoint, lambdaHandlerName } from '../../jobs/runtime/entry-points.ts';
import { allWorkflows } from '../../workflows/index.ts';
import { parsedJson, plannedDevStack, resolved, resourceNamed, resourcesOfType } from './stack.ts';

const allJobs: readonly AnyJob[] = declaredJobs;
const FUNCTION = 'aws:lambda/function:Function';
const TASK_DEFINITION = 'aws:ecs/taskDefinition:TaskDefinition';
const STATE_MACHINE = 'aws:sfn/stateMachine:StateMachine';
const ROLE = 'aws:iam/role:Role';

interface Container {
  image: string;
  entryPoint: string[];
  command: string[];
  environment: { name: string; value: string }[];
  secrets: { name: string; valueFrom: string }[];
}

/** The jobs the workflows run on Lambda, and those they run as tasks (send-end-marker could, but none does). */
const LAMBDA_JOBS = [
  'import-key',
  'audience-status',
  'plan-import',
  'import-audience',
  'close-sharded-import',
  'send-end-marker',
];
const TASK_JOBS = ['import-audience', 'export-audience'];

/** The subnets and extra security group of Pulumi.dev.yaml's `kafkaNetwork`. */
const DEV_KAFKA_SUBNETS = ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'];
const DEV_KAFKA_GROUP = 'sg-0a1b2c3d4e5f60003';

/** The capacity provider each task job runs on in the dev stack (Pulumi.dev.yaml `jobs`). */
const DEV_CAPACITY: Record<string, string> = { 'import-audience': 'FARGATE_SPOT' };

/**
 * Bindings to the resources the plan recorded, found by their names: what the workflows' definitions must
 * contain once the mocked ARNs are substituted.
 */
function bindingsFromPlan(plan: PlanResult): ResourceBindings {
  const arn = (type: string, name: string) => String(resourceNamed(plan, type, name).state.arn);
  return {
    lambda: (job: AnyJob) => ({ functionArn: arn(FUNCTION, `audience-io-${job.name}-lambda-function`) }),
    fargate: (job: AnyJob) => ({
      cluster: arn('aws:ecs/cluster:Cluster', 'audience-io-jobs-cluster'),
      taskDefinition: arn(TASK_DEFINITION, `audience-io-${job.name}-fargate-task-definition`),
      containerName: job.name,
      command: fargateCommand(job),
      // Kafka is in a VPC (Pulumi.dev.yaml kafkaNetwork): tasks run in its subnets, without public IPs.
      subnets: DEV_KAFKA_SUBNETS,
      securityGroups: [
        String(
          resourceNamed(plan, 'aws:ec2/securityGroup:SecurityGroup', 'audience-io-network-jobs').state.id,
        ),
        DEV_KAFKA_GROUP,
      ],
      assignPublicIp: false,
      capacityProviderStrategy: [{ capacityProvider: DEV_CAPACITY[job.name] ?? 'FARGATE', weight: 1 }],
      taskRoleArn: arn(ROLE, `audience-io-${job.name}-fargate-task-role`),
      executionRoleArn: arn(ROLE, `audience-io-${job.name}-fargate-execution-role`),
    }),
    stateMachineArn: (name: string) =>
      `arn:aws:states:us-east-1:123456789012:stateMachine:audience-io-${name}-dev`,
    platformResource: () =>
      String(resourceNamed(plan, 'aws:s3/bucket:Bucket', 'audience-io-audience-bucket').state.bucket),
  };
}

describe('infra: the resource set (Pulumi mocks)', () => {
  let plan: PlanResult;
  before(async () => {
    plan = await plannedDevStack();
  });

  it('has one state machine per workflow (the import starter is one of them)', () => {
    const names = resourcesOfType(plan, STATE_MACHINE).map((m) => m.inputs.name);
    expect(names).to.have.members(allWorkflows.map((w) => `audience-io-${w.name}-dev`));
    expect(names).to.include('audience-io-import-starter-dev');
  });

  for (const workflow of allWorkflows) {
    it(`the ${workflow.name} definition is the DSL's compiled ASL with the deployed ARNs`, async () => {
      // GIVEN the workflow compiled against the ARNs the mocks gave the deployed resources
      const expected = compileWorkflow(workflow, bindingsFromPlan(plan));
      expect(expected.issues).to.deep.equal([]);
      // WHEN
      const machine = resourceNamed(plan, STATE_MACHINE, `audience-io-${workflow.name}-state-machine`);
      // THEN
      expect(parsedJson(machine.inputs.definition)).to.deep.equal(
        JSON.parse(JSON.stringify(expected.definition)),
      );
    });
  }

  it('every Lambda function and task definition runs the one image', () => {
    const imageUri = plan.outputs.imageUri;
    expect(imageUri).to.match(/^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/.+@sha256:[0-9a-f]{64}$/);
    const functions = resourcesOfType(plan, FUNCTION);
    const tasks = resourcesOfType(plan, TASK_DEFINITION);
    expect(functions.length + tasks.length).to.equal(LAMBDA_JOBS.length + TASK_JOBS.length);
    for (const fn of functions) expect(fn.inputs.imageUri, fn.name).to.equal(imageUri);
    for (const task of tasks) {
      const containers = parsedJson<Container[]>(task.inputs.containerDefinitions);
      expect(
        containers.map((c) => c.image),
        task.name,
      ).to.deep.equal([imageUri]);
    }
  });

  for (const job of allJobs.filter((j) => LAMBDA_JOBS.includes(j.name))) {
    it(`${job.name} runs on Lambda from the image with its handler as image command`, () => {
      const fn = resourceNamed(plan, FUNCTION, `audience-io-${job.name}-lambda-function`);
      expect(fn.inputs).to.deep.include({
        packageType: 'Image',
        imageConfig: { commands: [lambdaHandlerName(job)] },
      });
      expect(fn.inputs.memorySize).to.equal(job.resources.lambda?.memoryMiB ?? 512);
      expect(fn.inputs.loggingConfig).to.deep.include({
        logGroup: `/aws/lambda/audience-io/${job.name}-dev`,
      });
    });
  }

  it('deploys an executor only where a workflow runs the job on it: no send-end-marker task definition', () => {
    expect(resourcesOfType(plan, FUNCTION).map((f) => f.name)).to.have.members(
      LAMBDA_JOBS.map((job) => `audience-io-${job}-lambda-function`),
    );
    expect(resourcesOfType(plan, TASK_DEFINITION).map((t) => t.name)).to.have.members(
      TASK_JOBS.map((job) => `audience-io-${job}-fargate-task-definition`),
    );
  });

  for (const job of allJobs.filter((j) => TASK_JOBS.includes(j.name))) {
    it(`${job.name} runs as a task whose entry point is the job's entry, with its own roles`, () => {
      const task = resourceNamed(plan, TASK_DEFINITION, `audience-io-${job.name}-fargate-task-definition`);
      const [container] = parsedJson<Container[]>(task.inputs.containerDefinitions);
      expect([...container!.entryPoint, ...container!.command]).to.deep.equal([
        ...fargateEntryPoint,
        ...fargateCommand(job),
      ]);
      expect(task.inputs).to.deep.include({
        networkMode: 'awsvpc',
        taskRoleArn: resourceNamed(plan, ROLE, `audience-io-${job.name}-fargate-task-role`).state.arn,
        executionRoleArn: resourceNamed(plan, ROLE, `audience-io-${job.name}-fargate-execution-role`).state
          .arn,
      });
    });
  }

  it('a job override from the config sizes its task (import-audience: 2048 CPU, 4096 MiB)', () => {
    const task = resourceNamed(plan, TASK_DEFINITION, 'audience-io-import-audience-fargate-task-definition');
    expect(task.inputs).to.deep.include({
      cpu: '2048',
      memory: '4096',
      requiresCompatibilities: ['FARGATE'],
    });
  });

  it("the import parses in one worker thread fewer than its task's vCPUs, on Lambda in one", () => {
    const task = resourceNamed(plan, TASK_DEFINITION, 'audience-io-import-audience-fargate-task-definition');
    const [container] = parsedJson<Container[]>(task.inputs.containerDefinitions);
    // 2048 CPU units (the dev stack's override): 2 vCPUs, 1 producing and 1 parsing.
    expect(container!.environment).to.deep.include({ name: 'IMPORT_PARSER_WORKERS', value: '1' });
    const fn = resourceNamed(plan, FUNCTION, 'audience-io-import-audience-lambda-function');
    expect((fn.inputs.environment as { variables: Record<string, string> }).variables).to.include({
      IMPORT_PARSER_WORKERS: '1',
    });
    const exported = resourceNamed(
      plan,
      TASK_DEFINITION,
      'audience-io-export-audience-fargate-task-definition',
    );
    const [exporter] = parsedJson<Container[]>(exported.inputs.containerDefinitions);
    expect(exporter!.environment.map((variable) => variable.name)).not.to.include('IMPORT_PARSER_WORKERS');
  });

  it('the cluster offers Fargate and Fargate Spot, and no EC2 capacity provider while no job runs on it', () => {
    const providers = resourcesOfType(plan, 'aws:ecs/clusterCapacityProviders:ClusterCapacityProviders')[0]!;
    expect(providers.inputs.capacityProviders).to.deep.equal(['FARGATE', 'FARGATE_SPOT']);
    expect(resourcesOfType(plan, 'aws:ecs/capacityProvider:CapacityProvider')).to.deep.equal([]);
    expect(resourcesOfType(plan, 'aws:autoscaling/group:Group')).to.deep.equal([]);
  });

  it('exports the state machine ARNs, bucket name, image URI and table name', async () => {
    const arns = plan.outputs.stateMachineArns as Record<string, string>;
    expect(Object.keys(arns)).to.have.members(allWorkflows.map((w) => w.name));
    for (const workflow of allWorkflows) {
      expect(arns[workflow.name]).to.equal(
        resourceNamed(plan, STATE_MACHINE, `audience-io-${workflow.name}-state-machine`).state.arn,
      );
    }
    expect(plan.outputs.bucketName).to.equal(
      resourceNamed(plan, 'aws:s3/bucket:Bucket', 'audience-io-audience-bucket').state.bucket,
    );
    expect(plan.outputs.tableName).to.equal(
      resourceNamed(plan, 'aws:dynamodb/table:Table', 'audience-io-status-table').state.name,
    );
    expect(await resolved(plan.outputs.imageUri as string)).to.be.a('string');
  });

  it('groups every resource in a component named audience-io:<module>:<Name>', () => {
    const components = plan.resources.filter((r) => r.kind === 'component');
    for (const component of components)
      expect(component.type).to.match(/^audience-io:[a-z]+:[A-Z][A-Za-z0-9]+$/);
    for (const resource of plan.resources.filter((r) => r.kind !== 'component')) {
      expect(resource.parentType, `${resource.type} ${resource.name}`).to.match(/^audience-io:/);
    }
  });
});

describe('infra: the plan view (npm run plan)', () => {
  it('lists every resource once, under the component that created it', async () => {
    const plan = await plannedDevStack();
    const entries = planEntries(plan.resources);
    const tree = renderPlanTree(entries);
    for (const entry of entries) {
      if (entry.name !== 'audience-io') expect(entry.parent, `${entry.type} ${entry.name}`).to.be.a('string');
      expect(
        tree.split('\n').filter((line) => line.endsWith(`  ${entry.name}`) && line.includes(entry.type)),
      ).to.have.length(1);
    }
    const lambda = entries.find((e) => e.name === 'audience-io-audience-status-lambda-function')!;
    expect(lambda.parent).to.equal('audience-io-audience-status-lambda');
    expect(lambda.properties).to.deep.include({ command: ['dist/lambda.audienceStatus'], tracing: 'Active' });
  });
});
