import { createHash } from 'node:crypto';
import type * as pulumi from '@pulumi/pulumi';

/** The account and region every mocked ARN is in. */
export const PLAN_ACCOUNT = '123456789012';
export const PLAN_REGION = 'us-east-1';
/** The VPC every existing subnet the plan looks up is in. */
export const PLAN_EXISTING_VPC = 'vpc-0e1d2c3b4a5f60000';

/** One resource the program registered: what `pulumi up` would create. */
export interface PlannedResource {
  /** Pulumi type token, e.g. `aws:lambda/function:Function` or `audience-io:jobs:LambdaJob`. */
  readonly type: string;
  /** Logical name. */
  readonly name: string;
  /** A cloud resource, a group of this program (ComponentResource), or a remote component (awsx) built by its provider. */
  readonly kind: 'resource' | 'component' | 'remote-component';
  /** Inputs as the program passed them, resolved. */
  readonly inputs: Record<string, unknown>;
  /** Outputs the mock answered with (ids and ARNs of the plan's fake account). */
  readonly state: Record<string, unknown>;
  /** Type of the component it was created in, from its URN; absent for top-level resources. */
  parentType?: string;
}

/**
 * Pulumi mocks that answer like AWS would with deterministic ids and ARNs of one fake account, and record
 * every resource. Used by `npm run plan` and the infrastructure tests; Pulumi's engine and AWS cannot run here.
 */
export class PlanMocks implements pulumi.runtime.Mocks {
  /** Every registered resource, in registration order. */
  readonly resources: PlannedResource[] = [];

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const inputs = (args.inputs ?? {}) as Record<string, unknown>;
    const kind =
      args.custom !== false
        ? 'resource'
        : args.type.startsWith('audience-io:')
          ? 'component'
          : 'remote-component';
    const state = kind === 'component' ? {} : mockState(args.type, args.name, inputs);
    this.resources.push({ type: args.type, name: args.name, kind, inputs, state });
    return { id: kind === 'resource' ? String(state.id ?? `${args.name}-id`) : undefined, state };
  }

  call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    switch (args.token) {
      case 'aws:index/getCallerIdentity:getCallerIdentity':
        return {
          accountId: PLAN_ACCOUNT,
          arn: `arn:aws:iam::${PLAN_ACCOUNT}:user/plan`,
          userId: 'plan',
          id: PLAN_ACCOUNT,
        };
      case 'aws:index/getPartition:getPartition':
        return { partition: 'aws', dnsSuffix: 'amazonaws.com', id: 'aws' };
      case 'aws:index/getRegion:getRegion':
        return { region: PLAN_REGION, name: PLAN_REGION, id: PLAN_REGION };
      // Existing subnets (kafkaNetwork.subnetIds): one VPC, private, routing 0.0.0.0/0 through a NAT gateway.
      case 'aws:ec2/getSubnet:getSubnet':
        return { id: args.inputs.id, vpcId: PLAN_EXISTING_VPC, cidrBlock: '10.20.0.0/24' };
      case 'aws:ec2/getRouteTable:getRouteTable':
        return {
          id: `rtb-${hex(String(args.inputs.subnetId), 17)}`,
          vpcId: PLAN_EXISTING_VPC,
          routes: [
            { cidrBlock: '10.20.0.0/16', gatewayId: 'local' },
            { cidrBlock: '0.0.0.0/0', natGatewayId: `nat-${hex('plan-nat', 17)}` },
          ],
        };
      default:
        throw new Error(`PlanMocks: no answer for the call '${args.token}'`);
    }
  }

  /** The recorded resources of one type. */
  ofType(type: string): PlannedResource[] {
    return this.resources.filter((resource) => resource.type === type);
  }
}

const ARN = `${PLAN_REGION}:${PLAN_ACCOUNT}`;

function mockState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const physical = typeof inputs.name === 'string' ? inputs.name : name;
  const base = { ...inputs, id: `${name}-id`, name: physical };
  switch (type) {
    case 'aws:s3/bucket:Bucket':
      return { ...base, id: name, bucket: name, arn: `arn:aws:s3:::${name}` };
    case 'aws:dynamodb/table:Table':
      return { ...base, arn: `arn:aws:dynamodb:${ARN}:table/${physical}` };
    case 'aws:lambda/function:Function':
      return { ...base, arn: `arn:aws:lambda:${ARN}:function:${physical}` };
    case 'aws:iam/role:Role':
      return { ...base, arn: `arn:aws:iam::${PLAN_ACCOUNT}:role/${physical}` };
    case 'aws:iam/instanceProfile:InstanceProfile':
      return { ...base, arn: `arn:aws:iam::${PLAN_ACCOUNT}:instance-profile/${physical}` };
    case 'aws:ecs/cluster:Cluster':
      return { ...base, arn: `arn:aws:ecs:${ARN}:cluster/${physical}` };
    case 'aws:ecs/taskDefinition:TaskDefinition':
      return { ...base, arn: `arn:aws:ecs:${ARN}:task-definition/${String(inputs.family)}:1`, revision: 1 };
    case 'aws:ecs/capacityProvider:CapacityProvider':
      return { ...base, arn: `arn:aws:ecs:${ARN}:capacity-provider/${physical}` };
    case 'aws:sfn/stateMachine:StateMachine':
      return { ...base, arn: `arn:aws:states:${ARN}:stateMachine:${physical}` };
    case 'aws:cloudwatch/logGroup:LogGroup':
      return { ...base, arn: `arn:aws:logs:${ARN}:log-group:${physical}` };
    case 'aws:cloudwatch/eventRule:EventRule':
      return { ...base, arn: `arn:aws:events:${ARN}:rule/${physical}` };
    case 'aws:sqs/queue:Queue':
      return {
        ...base,
        arn: `arn:aws:sqs:${ARN}:${physical}`,
        url: `https://sqs.${PLAN_REGION}.amazonaws.com/${PLAN_ACCOUNT}/${physical}`,
      };
    case 'aws:sns/topic:Topic':
      return { ...base, arn: `arn:aws:sns:${ARN}:${physical}` };
    case 'aws:cloudwatch/metricAlarm:MetricAlarm':
      return { ...base, arn: `arn:aws:cloudwatch:${ARN}:alarm:${physical}` };
    case 'aws:cloudwatch/dashboard:Dashboard':
      return {
        ...base,
        dashboardArn: `arn:aws:cloudwatch::${PLAN_ACCOUNT}:dashboard/${String(inputs.dashboardName)}`,
      };
    case 'aws:secretsmanager/secret:Secret':
      return { ...base, arn: `arn:aws:secretsmanager:${ARN}:secret:${physical}-AbCdEf` };
    case 'aws:ec2/securityGroup:SecurityGroup':
      return { ...base, id: `sg-${hex(name, 17)}` };
    case 'aws:ec2/launchTemplate:LaunchTemplate':
      return { ...base, id: `lt-${hex(name, 17)}`, latestVersion: 1 };
    case 'aws:autoscaling/group:Group':
      return {
        ...base,
        arn: `arn:aws:autoscaling:${ARN}:autoScalingGroup:${hex(name, 8)}:autoScalingGroupName/${physical}`,
      };
    case 'awsx:ecr:Repository':
      return { ...base, url: `${PLAN_ACCOUNT}.dkr.ecr.${PLAN_REGION}.amazonaws.com/${name}` };
    case 'awsx:ecr:Image':
      return { ...base, imageUri: `${String(inputs.repositoryUrl)}@sha256:${hex(name, 64)}` };
    case 'awsx:ec2:DefaultVpc':
      return { ...base, vpcId: 'vpc-default', publicSubnetIds: subnets('default', 3), privateSubnetIds: [] };
    case 'awsx:ec2:Vpc': {
      const zones = Number(inputs.numberOfAvailabilityZones ?? 2);
      return {
        ...base,
        vpcId: `vpc-${hex(name, 17)}`,
        publicSubnetIds: subnets('public', zones),
        privateSubnetIds: subnets('private', zones),
      };
    }
    default:
      return { ...base, arn: `arn:aws:${type.split(':')[1]?.split('/')[0] ?? 'unknown'}:${ARN}:${physical}` };
  }
}

function subnets(kind: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `subnet-${hex(`${kind}${index}`, 17)}`);
}

function hex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}
