import type { PlannedResource } from './plan-mocks.ts';

/** One resource of the plan view: what it is, what it is called, what matters about it, and what it belongs to. */
export interface PlanEntry {
  readonly type: string;
  readonly name: string;
  readonly kind: PlannedResource['kind'];
  /** Name of the component it belongs to: its URN's parent type, named as a prefix (`${parent}-<part>`). */
  readonly parent: string | undefined;
  /** The few properties a reviewer checks, by resource type. */
  readonly properties: Record<string, unknown>;
}

/** The plan view of recorded resources, in registration order, each with its component and key properties. */
export function planEntries(resources: readonly PlannedResource[]): PlanEntry[] {
  const components = resources.filter((r) => r.kind === 'component');
  return resources.map((resource) => ({
    type: resource.type,
    name: resource.name,
    kind: resource.kind,
    parent: components
      .filter((c) => c.type === resource.parentType && resource.name.startsWith(`${c.name}-`))
      .map((c) => c.name)
      .sort((a, b) => b.length - a.length)[0],
    properties: keyProperties(resource),
  }));
}

/** The plan as an indented tree: components, then their children, one line per resource with its key properties. */
export function renderPlanTree(entries: readonly PlanEntry[]): string {
  const lines: string[] = [];
  const visit = (parent: string | undefined, depth: number) => {
    for (const entry of entries.filter((e) => e.parent === parent)) {
      const indent = '  '.repeat(depth);
      lines.push(`${indent}${entry.kind === 'component' ? '▸' : '•'} ${entry.type}  ${entry.name}`);
      for (const [key, value] of Object.entries(entry.properties)) {
        lines.push(`${indent}    ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
      }
      if (entry.kind === 'component') visit(entry.name, depth + 1);
    }
  };
  visit(undefined, 0);
  const custom = entries.filter((e) => e.kind !== 'component').length;
  lines.push(
    '',
    `${custom} resources (${entries.filter((e) => e.kind === 'remote-component').length} awsx components) in ${entries.length - custom} groups`,
  );
  return lines.join('\n');
}

type Inputs = Record<string, unknown>;

function keyProperties({ type, inputs, state }: PlannedResource): Record<string, unknown> {
  switch (type) {
    case 'aws:lambda/function:Function': {
      const env = (inputs.environment as { variables?: Inputs } | undefined)?.variables ?? {};
      return {
        image: inputs.imageUri,
        command: (inputs.imageConfig as { commands?: unknown } | undefined)?.commands,
        memoryMiB: inputs.memorySize,
        timeoutSeconds: inputs.timeout,
        tracing: (inputs.tracingConfig as { mode?: unknown } | undefined)?.mode,
        environment: Object.keys(env),
        vpcSubnets: (inputs.vpcConfig as { subnetIds?: unknown } | undefined)?.subnetIds,
      };
    }
    case 'aws:ecs/taskDefinition:TaskDefinition': {
      const [container] = JSON.parse(String(inputs.containerDefinitions)) as Inputs[];
      return {
        family: inputs.family,
        compatibilities: inputs.requiresCompatibilities,
        cpu: inputs.cpu,
        memoryMiB: inputs.memory,
        image: container?.image,
        command: [
          ...((container?.entryPoint as string[]) ?? []),
          ...((container?.command as string[]) ?? []),
        ].join(' '),
        environment: ((container?.environment as { name: string }[]) ?? []).map((e) => e.name),
        secrets: ((container?.secrets as { name: string }[]) ?? []).map((s) => s.name),
        user: container?.user,
        readonlyRootFilesystem: container?.readonlyRootFilesystem,
      };
    }
    case 'aws:sfn/stateMachine:StateMachine': {
      const definition = JSON.parse(String(inputs.definition)) as { States?: Inputs };
      const logging = inputs.loggingConfiguration as Inputs | undefined;
      return {
        name: inputs.name,
        arn: state.arn,
        states: Object.keys(definition.States ?? {}),
        logLevel: logging?.level,
        includeExecutionData: logging?.includeExecutionData,
        tracing: (inputs.tracingConfiguration as { enabled?: unknown } | undefined)?.enabled,
      };
    }
    case 'aws:iam/role:Role': {
      const trust = JSON.parse(String(inputs.assumeRolePolicy)) as {
        Statement: { Principal: { Service: string } }[];
      };
      const policies = (inputs.inlinePolicies as { policy?: string }[] | undefined) ?? [];
      const actions = policies.flatMap((p) =>
        p.policy
          ? (JSON.parse(p.policy) as { Statement: { Action: string[] }[] }).Statement.flatMap((s) => s.Action)
          : [],
      );
      return { assumedBy: trust.Statement[0]?.Principal.Service, actions };
    }
    case 'aws:cloudwatch/logGroup:LogGroup':
      return { name: inputs.name, retentionDays: inputs.retentionInDays };
    case 'aws:dynamodb/table:Table':
      return {
        hashKey: inputs.hashKey,
        billingMode: inputs.billingMode,
        pointInTimeRecovery: (inputs.pointInTimeRecovery as { enabled?: unknown } | undefined)?.enabled,
      };
    case 'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration':
      return { rules: inputs.rules };
    case 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock':
      return pick(inputs, [
        'blockPublicAcls',
        'blockPublicPolicy',
        'ignorePublicAcls',
        'restrictPublicBuckets',
      ]);
    case 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration':
      return { rules: (inputs.rules as Inputs[]).map((r) => r.id) };
    case 'aws:s3/bucketNotification:BucketNotification':
      return pick(inputs, ['eventbridge']);
    case 'aws:cloudwatch/eventRule:EventRule':
      return { eventPattern: inputs.eventPattern };
    case 'aws:cloudwatch/eventTarget:EventTarget':
      return {
        target: inputs.arn,
        inputTemplate: (inputs.inputTransformer as Inputs | undefined)?.inputTemplate,
        retryPolicy: inputs.retryPolicy,
        deadLetterQueue: (inputs.deadLetterConfig as Inputs | undefined)?.arn,
      };
    case 'aws:sqs/queue:Queue':
      return { ...pick(inputs, ['messageRetentionSeconds', 'sqsManagedSseEnabled']), arn: state.arn };
    case 'aws:sns/topic:Topic':
      return { arn: state.arn };
    case 'aws:sns/topicSubscription:TopicSubscription':
      return pick(inputs, ['protocol', 'endpoint']);
    case 'aws:cloudwatch/metricAlarm:MetricAlarm':
      return {
        metric: `${String(inputs.namespace)} ${String(inputs.metricName)} ${String(inputs.statistic)} >= ${String(inputs.threshold)} in ${String(inputs.period)} s`,
        dimensions: inputs.dimensions,
        actions: inputs.alarmActions,
      };
    case 'aws:cloudwatch/dashboard:Dashboard': {
      const body = JSON.parse(String(inputs.dashboardBody)) as {
        widgets: { properties: { title: string } }[];
      };
      return { name: inputs.dashboardName, widgets: body.widgets.map((w) => w.properties.title) };
    }
    case 'aws:ec2/securityGroup:SecurityGroup':
      return {
        egress: ((inputs.egress as Inputs[] | undefined) ?? []).map(
          (rule) =>
            `${String(rule.protocol)} ${String(rule.fromPort)} → ${(rule.cidrBlocks as string[]).join(', ')}`,
        ),
      };
    case 'aws:s3/bucketVersioning:BucketVersioning':
      return { status: (inputs.versioningConfiguration as Inputs | undefined)?.status };
    case 'aws:ecs/cluster:Cluster':
      return { settings: inputs.settings };
    case 'awsx:ecr:Repository':
      return pick(inputs, ['imageScanningConfiguration', 'imageTagMutability', 'lifecyclePolicy']);
    case 'awsx:ecr:Image':
      return { ...pick(inputs, ['context', 'dockerfile', 'platform']), imageUri: state.imageUri };
    case 'awsx:ec2:Vpc':
      return pick(inputs, ['cidrBlock', 'numberOfAvailabilityZones', 'natGateways', 'subnetSpecs']);
    case 'aws:ecs/clusterCapacityProviders:ClusterCapacityProviders':
      return pick(inputs, ['capacityProviders']);
    case 'aws:ec2/launchTemplate:LaunchTemplate':
      return pick(inputs, ['imageId', 'instanceType']);
    case 'aws:autoscaling/group:Group':
      return pick(inputs, ['minSize', 'maxSize']);
    case 'aws:ecs/capacityProvider:CapacityProvider':
      return { managedScaling: (inputs.autoScalingGroupProvider as Inputs | undefined)?.managedScaling };
    default:
      return {};
  }
}

function pick(inputs: Inputs, keys: readonly string[]): Inputs {
  return Object.fromEntries(keys.filter((k) => inputs[k] !== undefined).map((k) => [k, inputs[k]]));
}
