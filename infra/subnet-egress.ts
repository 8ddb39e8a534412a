import * as aws from '@pulumi/aws';
import { CONFIG_NAMESPACE } from './config.ts';

/** One route of a subnet's route table, as much as the egress check reads. */
export interface SubnetRoute {
  readonly cidrBlock: string;
  readonly natGatewayId?: string;
  readonly transitGatewayId?: string;
  /** A NAT instance's network interface. */
  readonly networkInterfaceId?: string;
  readonly gatewayId?: string;
}

/** Read-only questions about existing subnets; answered by AWS (Pulumi invokes) or by a test. */
export interface SubnetLookup {
  vpcOf(subnetId: string): Promise<string>;
  routesOf(subnetId: string): Promise<readonly SubnetRoute[]>;
  hasEndpoint(vpcId: string, serviceName: string): Promise<boolean>;
}

/** What the check found: the subnets' one VPC, and every reason they cannot serve the jobs. */
export interface SubnetEgress {
  readonly vpcId: string | undefined;
  readonly problems: string[];
}

/**
 * Checks that jobs without public IPs can leave existing subnets: all subnets are in one VPC, and each either
 * routes 0.0.0.0/0 through a NAT gateway, transit gateway or NAT instance, or its VPC has an endpoint for every
 * service the jobs call (`services`, suffixes of `com.amazonaws.<region>.`).
 */
export async function checkSubnetEgress(
  subnetIds: readonly string[],
  region: string,
  services: readonly string[],
  lookup: SubnetLookup,
): Promise<SubnetEgress> {
  const key = `${CONFIG_NAMESPACE}:kafkaNetwork.subnetIds`;
  const vpcs = await Promise.all(subnetIds.map((id) => lookup.vpcOf(id)));
  const distinct = [...new Set(vpcs)];
  if (distinct.length > 1) {
    return {
      vpcId: undefined,
      problems: [`Configuration key '${key}' spans VPCs ${distinct.join(', ')}: use one`],
    };
  }
  const vpcId = distinct[0]!;
  const withoutNat: string[] = [];
  for (const subnetId of subnetIds) {
    const routes = await lookup.routesOf(subnetId);
    if (!routes.some(isNatDefaultRoute)) withoutNat.push(subnetId);
  }
  if (withoutNat.length === 0) return { vpcId, problems: [] };
  const missing: string[] = [];
  for (const service of services) {
    if (!(await lookup.hasEndpoint(vpcId, `com.amazonaws.${region}.${service}`))) missing.push(service);
  }
  if (missing.length === 0) return { vpcId, problems: [] };
  return {
    vpcId,
    problems: [
      `Configuration key '${key}': ${withoutNat.join(', ')} route(s) 0.0.0.0/0 through no NAT gateway, and ${vpcId} has no VPC ` +
        `endpoint for ${missing.join(', ')}, so jobs without a public IP could not reach them: add a NAT gateway route or those endpoints`,
    ],
  };
}

function isNatDefaultRoute(route: SubnetRoute): boolean {
  return (
    route.cidrBlock === '0.0.0.0/0' &&
    Boolean(route.natGatewayId || route.transitGatewayId || route.networkInterfaceId)
  );
}

/** The lookup answered by AWS through the provider's data sources (read-only; nothing is created). */
export const awsSubnetLookup: SubnetLookup = {
  async vpcOf(subnetId) {
    return (await aws.ec2.getSubnet({ id: subnetId })).vpcId;
  },
  async routesOf(subnetId) {
    try {
      return (await aws.ec2.getRouteTable({ subnetId })).routes;
    } catch {
      // A subnet without an explicit association uses its VPC's main route table.
      const vpcId = (await aws.ec2.getSubnet({ id: subnetId })).vpcId;
      return (
        await aws.ec2.getRouteTable({ vpcId, filters: [{ name: 'association.main', values: ['true'] }] })
      ).routes;
    }
  },
  async hasEndpoint(vpcId, serviceName) {
    try {
      await aws.ec2.getVpcEndpoint({ vpcId, serviceName, state: 'available' });
      return true;
    } catch {
      return false;
    }
  },
};
