import { expect } from 'chai';
import { PLAN_EXISTING_VPC } from '../../infra/plan-mocks.ts';
import type { PlanResult } from '../../infra/plan-run.ts';
import {
  parsedJson,
  plannedDevStack,
  plannedPublicStack,
  plannedSecretStack,
  plannedStacks,
  resourceNamed,
  resourcesOfType,
} from './stack.ts';

const FUNCTION = 'aws:lambda/function:Function';
const STATE_MACHINE = 'aws:sfn/stateMachine:StateMachine';

interface AwsvpcConfiguration {
  Subnets: string[];
  SecurityGroups: string[];
  AssignPublicIp: 'ENABLED' | 'DISABLED';
}

interface StatesOf {
  States: Record<
    string,
    {
      Parameters: { NetworkConfiguration: { AwsvpcConfiguration: AwsvpcConfiguration } };
      ItemProcessor?: StatesOf;
    }
  >;
}

/**
 * The network configuration of a Fargate step, as the deployed state machine sends it to RunTask; a step inside
 * a map is `<Map>/<Step>`.
 */
function runTaskNetwork(plan: PlanResult, workflow: string, state: string): AwsvpcConfiguration {
  const definition = parsedJson<StatesOf>(
    resourceNamed(plan, STATE_MACHINE, `audience-io-${workflow}-state-machine`).inputs.definition,
  );
  const [outer, inner] = state.split('/') as [string, string | undefined];
  const step = inner ? definition.States[outer]!.ItemProcessor!.States[inner]! : definition.States[outer]!;
  return step.Parameters.NetworkConfiguration.AwsvpcConfiguration;
}

function jobsGroup(plan: PlanResult): string {
  return String(
    resourceNamed(plan, 'aws:ec2/securityGroup:SecurityGroup', 'audience-io-network-jobs').state.id,
  );
}

function vpcConfigOf(plan: PlanResult, job: string) {
  return resourceNamed(plan, FUNCTION, `audience-io-${job}-lambda-function`).inputs.vpcConfig as
    | { subnetIds: string[]; securityGroupIds: string[] }
    | undefined;
}

for (const [stack, planned] of plannedStacks) {
  describe(`infra network policy: ${stack} stack (Pulumi mocks)`, () => {
    let plan: PlanResult;
    before(async () => {
      plan = await planned();
    });

    it("the jobs' security group lets out only HTTPS and the Kafka brokers' ports, and lets nothing in", () => {
      const [group] = resourcesOfType(plan, 'aws:ec2/securityGroup:SecurityGroup');
      const kafkaPort = stack === 'secret' ? 9094 : 9096;
      expect(group?.inputs.ingress).to.deep.equal([]);
      expect(
        (
          group!.inputs.egress as {
            protocol: string;
            fromPort: number;
            toPort: number;
            cidrBlocks: string[];
          }[]
        ).map((rule) => [rule.protocol, rule.fromPort, rule.toPort, rule.cidrBlocks]),
      ).to.deep.equal([
        ['tcp', 443, 443, ['0.0.0.0/0']],
        ['tcp', kafkaPort, kafkaPort, ['0.0.0.0/0']],
      ]);
    });

    it('Lambda jobs that do not talk to Kafka run outside any VPC', () => {
      for (const job of ['import-key', 'audience-status'])
        expect(vpcConfigOf(plan, job), job).to.equal(undefined);
    });
  });
}

describe('infra network policy: Kafka only reachable in a VPC (dev stack: kafkaNetwork with existing subnets)', () => {
  let plan: PlanResult;
  before(async () => {
    plan = await plannedDevStack();
  });
  const SUBNETS = ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'];
  const KAFKA_GROUP = 'sg-0a1b2c3d4e5f60003';

  it("the jobs' security group is created in the Kafka subnets' VPC, no VPC of its own", () => {
    expect(
      resourceNamed(plan, 'aws:ec2/securityGroup:SecurityGroup', 'audience-io-network-jobs').inputs.vpcId,
    ).to.equal(PLAN_EXISTING_VPC);
    expect(resourcesOfType(plan, 'awsx:ec2:DefaultVpc')).to.deep.equal([]);
    expect(resourcesOfType(plan, 'awsx:ec2:Vpc')).to.deep.equal([]);
  });

  it('a Lambda job that talks to Kafka runs in the Kafka subnets with the jobs and Kafka groups', () => {
    for (const job of ['send-end-marker', 'import-audience']) {
      expect(vpcConfigOf(plan, job), job).to.deep.equal({
        subnetIds: SUBNETS,
        securityGroupIds: [jobsGroup(plan), KAFKA_GROUP],
      });
    }
  });

  it('every Fargate step runs its task in the Kafka subnets, without a public IP', () => {
    for (const [workflow, state] of [
      ['import-audience', 'ImportOnFargate'],
      ['import-audience', 'ImportShards/ImportShard'],
      ['export-audience', 'ExportToS3'],
    ] as const) {
      expect(runTaskNetwork(plan, workflow, state), state).to.deep.equal({
        Subnets: SUBNETS,
        SecurityGroups: [jobsGroup(plan), KAFKA_GROUP],
        AssignPublicIp: 'DISABLED',
      });
    }
  });
});

describe('infra network policy: Kafka on the internet, tasks in the default VPC (public stack)', () => {
  it('Fargate tasks run in public subnets with a public IP (no NAT), and no Lambda joins a VPC', async () => {
    const plan = await plannedPublicStack();
    const vpc = resourceNamed(plan, 'awsx:ec2:DefaultVpc', 'audience-io-network-vpc');
    expect(runTaskNetwork(plan, 'import-audience', 'ImportOnFargate')).to.deep.equal({
      Subnets: (vpc.state.publicSubnetIds as string[]).slice(0, 2),
      SecurityGroups: [jobsGroup(plan)],
      AssignPublicIp: 'ENABLED',
    });
    for (const fn of resourcesOfType(plan, FUNCTION))
      expect(fn.inputs.vpcConfig, fn.name).to.equal(undefined);
  });
});

describe('infra network policy: EC2 capacity (secret stack: export on EC2, new VPC with a NAT gateway)', () => {
  let plan: PlanResult;
  before(async () => {
    plan = await plannedSecretStack();
  });

  it('an EC2-capacity task never asks for a public IP (ECS refuses it) and leaves through the NAT gateway', () => {
    const vpc = resourceNamed(plan, 'awsx:ec2:Vpc', 'audience-io-network-vpc');
    expect(runTaskNetwork(plan, 'export-audience', 'ExportToS3')).to.deep.equal({
      Subnets: (vpc.state.privateSubnetIds as string[]).slice(0, 3),
      SecurityGroups: [jobsGroup(plan)],
      AssignPublicIp: 'DISABLED',
    });
    const definition = parsedJson<{ States: Record<string, { Parameters: Record<string, unknown> }> }>(
      resourceNamed(plan, STATE_MACHINE, 'audience-io-export-audience-state-machine').inputs.definition,
    );
    expect(definition.States.ExportToS3?.Parameters.CapacityProviderStrategy).to.deep.equal([
      {
        CapacityProvider: resourceNamed(
          plan,
          'aws:ecs/capacityProvider:CapacityProvider',
          'audience-io-jobs-ec2-capacity-provider',
        ).state.name,
        Weight: 1,
      },
    ]);
  });

  it('the EC2 capacity provider exists because a job uses it: instances in the task subnets, no public IP', () => {
    const vpc = resourceNamed(plan, 'awsx:ec2:Vpc', 'audience-io-network-vpc');
    const group = resourcesOfType(plan, 'aws:autoscaling/group:Group')[0]!;
    expect(group.inputs).to.deep.include({
      minSize: 0,
      maxSize: 2,
      protectFromScaleIn: true,
      vpcZoneIdentifiers: (vpc.state.privateSubnetIds as string[]).slice(0, 3),
    });
    const template = resourcesOfType(plan, 'aws:ec2/launchTemplate:LaunchTemplate')[0]!;
    expect(template.inputs.networkInterfaces).to.deep.equal([
      { associatePublicIpAddress: 'false', securityGroups: [jobsGroup(plan)] },
    ]);
    const providers = resourcesOfType(plan, 'aws:ecs/clusterCapacityProviders:ClusterCapacityProviders')[0]!;
    expect(providers.inputs.capacityProviders).to.have.length(3);
  });
});
