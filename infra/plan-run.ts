import { readFileSync } from 'node:fs';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { PlanMocks, type PlannedResource } from './plan-mocks.ts';

/** Flat configuration as the Pulumi engine hands it to a program: `namespace:key` → string (JSON for objects). */
export interface StackConfig {
  readonly values: Record<string, string>;
  /** Keys whose value is a secret. */
  readonly secretKeys: string[];
}

/** What a program would create, and its stack outputs, as seen under mocks. */
export interface PlanResult {
  readonly resources: PlannedResource[];
  readonly outputs: Record<string, unknown>;
}

/** Stand-in for a secret the plan cannot decrypt (it has no Pulumi backend). */
export const PLAN_SECRET = 'plan-secret-not-decrypted';

/**
 * Reads `Pulumi.<stack>.yaml` the way the engine passes it: structured values become JSON strings and
 * `secure:` values a placeholder marked secret.
 */
export function readStackConfig(file: string): StackConfig {
  const document = parse(readFileSync(file, 'utf8')) as { config?: Record<string, unknown> } | null;
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(document?.config ?? {})) {
    if (isSecure(value)) {
      values[key] = PLAN_SECRET;
      secretKeys.push(key);
    } else {
      values[key] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
  return { values, secretKeys };
}

/**
 * Runs `program` under {@link PlanMocks} with `config`, waits until every registration has settled, and returns
 * what it registered plus its resolved outputs. Call once per process: Pulumi's runtime state is global.
 */
export async function planProgram(
  program: () => Promise<Record<string, unknown>>,
  config: StackConfig,
  stack = 'dev',
): Promise<PlanResult> {
  const mocks = new PlanMocks();
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);
  await pulumi.runtime.setMocks(mocks, 'audience-io', stack, false);
  const monitor = pulumi.runtime.getMonitor() as unknown as { resources: Map<string, { urn: string }> };
  const exported = await program();
  const outputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(exported)) {
    outputs[name] = await resolved(value);
  }
  await pulumi.runtime.disconnect();
  recordParentTypes(mocks.resources, [...monitor.resources.keys()]);
  return { resources: mocks.resources, outputs };
}

/** The value of an Output (or plain value), once known. */
export function resolved<T>(value: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
  return new Promise((resolve) => {
    pulumi.output(value).apply((v) => {
      resolve(v);
      return v;
    });
  });
}

/** Mock URNs read `urn:pulumi:<stack>::<project>::<parent type>$<type>::<name>`. */
function recordParentTypes(resources: PlannedResource[], urns: readonly string[]): void {
  const parentTypes = new Map<string, string | undefined>();
  for (const urn of urns) {
    const [, , typeChain = '', ...nameParts] = urn.split('::');
    const types = typeChain.split('$');
    parentTypes.set(`${types.at(-1)}::${nameParts.join('::')}`, types.at(-2));
  }
  for (const resource of resources) {
    resource.parentType = parentTypes.get(`${resource.type}::${resource.name}`);
  }
}

function isSecure(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'secure' in value;
}
