import { expect } from 'chai';
import { compileWorkflow } from '../../dsl/index.ts';
import { readPlatformConfig } from '../../infra/config.ts';
import { PlanMocks, type PlannedResource } from '../../infra/plan-mocks.ts';
import type { StackConfig } from '../../infra/plan-run.ts';
import { PreflightError, type PreflightInput } from '../../infra/preflight.ts';
import { deployAudienceIo, IMPORT_STARTER } from '../../infra/program.ts';
import type { SubnetLookup, SubnetRoute } from '../../infra/subnet-egress.ts';
import { allJobs, sendEndMarker } from '../../jobs/index.ts';
import { allWorkflows } from '../../workflows/index.ts';
import { devConfig, plannedPublicStack, pulumi } from './stack.ts';

type Workflow = (typeof allWorkflows)[number];

/** Existing subnets as a test describes them: each subnet's VPC and routes, and the VPCs' endpoints. */
function subnetLookup(
  subnets: Record<string, { vpc: string; routes: SubnetRoute[] }>,
  endpoints: Record<string, string[]> = {},
): SubnetLookup {
  return {
    vpcOf: async (id) => subnets[id]!.vpc,
    routesOf: async (id) => subnets[id]!.routes,
    hasEndpoint: async (vpc, service) => (endpoints[vpc] ?? []).includes(service),
  };
}

const NAT_ROUTE: SubnetRoute = { cidrBlock: '0.0.0.0/0', natGatewayId: 'nat-0123456789abcdef0' };
const IGW_ROUTE: SubnetRoute = { cidrBlock: '0.0.0.0/0', gatewayId: 'igw-0123456789abcdef0' };
const LOCAL_ROUTE: SubnetRoute = { cidrBlock: '10.20.0.0/16', gatewayId: 'local' };
/** The dev stack's kafkaNetwork subnets. */
const [SUBNET_A, SUBNET_B] = ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'];

/**
 * Runs the program (preflight, then the platform) under fresh mocks with the dev configuration changed by
 * `changes` (`undefined` removes a key); returns what it threw and every resource it registered.
 */
async function attempt(
  changes: Record<string, string | undefined> = {},
  overrides: Partial<PreflightInput<Workflow>> = {},
): Promise<{ thrown: unknown; registered: PlannedResource[] }> {
  // After the stack plans, so this run's mocks do not mix with theirs.
  await plannedPublicStack();
  const config: StackConfig = { values: { ...devConfig.values }, secretKeys: [] };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete config.values[key];
    else config.values[key] = value;
  }
  const mocks = new PlanMocks();
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);
  await pulumi.runtime.setMocks(mocks, 'audience-io', 'preflight', false);
  let thrown: unknown;
  try {
    await deployAudienceIo({
      config: readPlatformConfig(),
      jobs: allJobs,
      workflows: allWorkflows,
      compile: compileWorkflow,
      importStarterWorkflowName: IMPORT_STARTER,
      image: { context: '.', dockerfile: 'images/Dockerfile' },
      subnetLookup: subnetLookup({
        [SUBNET_A]: { vpc: 'vpc-kafka', routes: [LOCAL_ROUTE, NAT_ROUTE] },
        [SUBNET_B]: { vpc: 'vpc-kafka', routes: [LOCAL_ROUTE, NAT_ROUTE] },
      }),
      ...overrides,
    });
  } catch (error) {
    thrown = error;
  }
  await pulumi.runtime.disconnect();
  return { thrown, registered: mocks.resources };
}

/** The problems of a run that must have stopped in the preflight, having registered nothing. */
async function problemsOf(...args: Parameters<typeof attempt>): Promise<readonly string[]> {
  const { thrown, registered } = await attempt(...args);
  expect(thrown, 'the preflight let it through').to.be.instanceOf(PreflightError);
  expect(registered.map((r) => `${r.type} ${r.name}`)).to.deep.equal([]);
  return (thrown as PreflightError).problems;
}

const jobs = (value: unknown) => ({ 'audience-io:jobs': JSON.stringify(value) });

describe('infra: the preflight stops the program before the first resource registers', () => {
  it('the dev configuration passes and deploys (the control case)', async () => {
    const { thrown, registered } = await attempt();
    expect(thrown).to.equal(undefined);
    expect(registered.length).to.be.greaterThan(40);
  });

  it('a Fargate size Fargate does not offer (256 CPU with 1536 MiB) registers nothing and names the key', async () => {
    const problems = await problemsOf(
      jobs({ 'import-audience': { fargate: { cpu: 256, memoryMiB: 1536 } } }),
    );
    expect(problems).to.deep.equal([
      "Configuration key 'audience-io:jobs.import-audience.fargate.memoryMiB': Fargate with 256 CPU units takes 512, 1024 or 2048 MiB, got 1536",
    ]);
  });

  it('a workflow with validation issues: every issue listed, no resource registered', async () => {
    const problems = await problemsOf(
      {},
      {
        compile: (workflow, bindings) => ({
          ...compileWorkflow(workflow, bindings),
          issues: [
            { code: 'NEXT_TARGET_MISSING', path: 'States.X', message: "Next 'Nowhere' is not a state" },
          ],
        }),
      },
    );
    expect(problems).to.have.members(
      allWorkflows.map(
        (w) => `Workflow '${w.name}': NEXT_TARGET_MISSING at States.X: Next 'Nowhere' is not a state`,
      ),
    );
  });

  it('a workflow using a job missing from allJobs is named with the job', async () => {
    const problems = await problemsOf({}, { jobs: allJobs.filter((job) => job !== sendEndMarker) });
    expect(problems).to.include(
      "Workflow 'import-audience': job 'send-end-marker' is not in jobs/index.ts allJobs",
    );
  });

  it('no import starter workflow for the trigger is an error', async () => {
    const problems = await problemsOf(
      {},
      { workflows: allWorkflows.filter((w) => w.name !== IMPORT_STARTER) },
    );
    expect(problems).to.include(
      "No workflow named 'import-starter' for objects created under imports/ to start",
    );
  });

  it('every problem is listed at once: sizing, overrides, network and the extra checks', async () => {
    const problems = await problemsOf(
      {
        ...jobs({
          'import-audience': { fargate: { cpu: 3000 } },
          'audience-status': { lambda: { memoryMiB: 64 }, fargate: { cpu: 256 } },
          'send-end-marker': { fargate: { cpu: 256, memoryMiB: 512 } },
          'import-audiense': {},
        }),
        'audience-io:network': JSON.stringify({ vpc: 'new', natGateway: true }),
      },
      { extraChecks: [() => ['TYPE_CHECK: workflows/import-audience.ts(1,1): a type error']] },
    );
    expect(problems).to.have.members([
      "Configuration key 'audience-io:jobs.import-audiense' names no job: the jobs are import-key, audience-status, plan-import, import-audience, close-sharded-import, send-end-marker, export-audience",
      "Configuration key 'audience-io:jobs.audience-status.fargate': audience-status runs on lambda, not fargate",
      "Configuration key 'audience-io:jobs.audience-status.lambda.memoryMiB': Lambda memory must be 128-10240 MiB, got 64",
      "Configuration key 'audience-io:jobs.import-audience.fargate.cpu': Fargate CPU must be one of 256, 512, 1024, 2048, 4096, 8192, 16384, got 3000 (set capacity 'ec2' for larger tasks)",
      "Configuration key 'audience-io:jobs.send-end-marker.fargate': no workflow runs send-end-marker on fargate, so nothing would use it",
      "Configuration keys 'audience-io:network' and 'audience-io:kafkaNetwork.subnetIds' both place the jobs: the new VPC would be unused; remove one",
      'TYPE_CHECK: workflows/import-audience.ts(1,1): a type error',
    ]);
  });
});

describe('infra: the preflight refuses networks the jobs could not leave', () => {
  const publicKafka = { 'audience-io:kafkaNetwork': undefined };
  const onEc2 = jobs({ 'export-audience': { fargate: { capacity: 'ec2' } } });

  it('EC2-capacity tasks (no public IP) in the default VPC, which has no NAT gateway', async () => {
    const [problem] = await problemsOf({ ...publicKafka, ...onEc2 });
    expect(problem).to.match(
      /^EC2-capacity tasks \(export-audience\) run without a public IP, but the default VPC has no NAT gateway/,
    );
  });

  it('EC2-capacity tasks in a new VPC without a NAT gateway', async () => {
    const [problem] = await problemsOf({
      ...publicKafka,
      ...onEc2,
      'audience-io:network': JSON.stringify({ vpc: 'new', natGateway: false }),
    });
    expect(problem).to.contain('the new VPC has no NAT gateway');
  });

  it('Kafka in a VPC with the task subnets of the default VPC', async () => {
    const [problem] = await problemsOf({ 'audience-io:kafkaNetwork': JSON.stringify({ mode: 'vpc' }) });
    expect(problem).to.match(
      /^Kafka is in a VPC, so import-audience, send-end-marker, export-audience run there without a public IP, but the default VPC has no NAT gateway/,
    );
  });

  it('Kafka in the VPC of `network` when that VPC has a NAT gateway: Kafka jobs run in its private subnets', async () => {
    const { thrown, registered } = await attempt({
      'audience-io:kafkaNetwork': JSON.stringify({ mode: 'vpc' }),
      'audience-io:network': JSON.stringify({ vpc: 'new', natGateway: true }),
    });
    expect(thrown).to.equal(undefined);
    const fn = registered.find((r) => r.name === 'audience-io-send-end-marker-lambda-function')!;
    const vpc = registered.find((r) => r.type === 'awsx:ec2:Vpc')!;
    expect((fn.inputs.vpcConfig as { subnetIds: string[] }).subnetIds).to.deep.equal(
      (vpc.state.privateSubnetIds as string[]).slice(0, 2),
    );
  });

  it('Kafka subnets routing 0.0.0.0/0 to an internet gateway, without VPC endpoints', async () => {
    const problems = await problemsOf(
      {},
      {
        subnetLookup: subnetLookup({
          [SUBNET_A]: { vpc: 'vpc-kafka', routes: [LOCAL_ROUTE, NAT_ROUTE] },
          [SUBNET_B]: { vpc: 'vpc-kafka', routes: [LOCAL_ROUTE, IGW_ROUTE] },
        }),
      },
    );
    expect(problems).to.deep.equal([
      `Configuration key 'audience-io:kafkaNetwork.subnetIds': ${SUBNET_B} route(s) 0.0.0.0/0 through no NAT gateway, and vpc-kafka has no VPC endpoint for dynamodb, ecr.api, ecr.dkr, logs, s3, secretsmanager, so jobs without a public IP could not reach them: add a NAT gateway route or those endpoints`,
    ]);
  });

  it('Kafka subnets without NAT but with an endpoint for every service the jobs call pass', async () => {
    const { thrown } = await attempt(
      {},
      {
        subnetLookup: subnetLookup(
          {
            [SUBNET_A]: { vpc: 'vpc-kafka', routes: [LOCAL_ROUTE] },
            [SUBNET_B]: { vpc: 'vpc-kafka', routes: [LOCAL_ROUTE] },
          },
          {
            'vpc-kafka': ['dynamodb', 'ecr.api', 'ecr.dkr', 'logs', 's3', 'secretsmanager'].map(
              (service) => `com.amazonaws.eu-west-1.${service}`,
            ),
          },
        ),
      },
    );
    expect(thrown).to.equal(undefined);
  });

  it('Kafka subnets in two VPCs', async () => {
    const problems = await problemsOf(
      {},
      {
        subnetLookup: subnetLookup({
          [SUBNET_A]: { vpc: 'vpc-one', routes: [NAT_ROUTE] },
          [SUBNET_B]: { vpc: 'vpc-two', routes: [NAT_ROUTE] },
        }),
      },
    );
    expect(problems).to.deep.equal([
      "Configuration key 'audience-io:kafkaNetwork.subnetIds' spans VPCs vpc-one, vpc-two: use one",
    ]);
  });
});
