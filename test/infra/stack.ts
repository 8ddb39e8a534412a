import * as pulumi from '@pulumi/pulumi';
import { PlanMocks, type PlannedResource } from '../../infra/plan-mocks.ts';
import {
  type PlanResult,
  planProgram,
  readStackConfig,
  resolved,
  type StackConfig,
} from '../../infra/plan-run.ts';

/** The dev stack's configuration, as `pulumi up` would hand it to the program. */
export const devConfig: StackConfig = readStackConfig(
  new URL('../../Pulumi.dev.yaml', import.meta.url).pathname,
);

let devPlan: Promise<PlanResult> | undefined;

/** The Pulumi program (`index.ts`) run once under mocks with the dev stack's configuration. */
export function plannedDevStack(): Promise<PlanResult> {
  devPlan ??= planProgram(() => import('../../index.ts'), devConfig);
  return devPlan;
}

/** The one resource of a type and name; fails naming both when absent. */
export function resourceNamed(plan: PlanResult, type: string, name: string): PlannedResource {
  const found = plan.resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`No ${type} named '${name}' in the plan`);
  return found;
}

/** The resources of one type. */
export function resourcesOfType(plan: PlanResult, type: string): PlannedResource[] {
  return plan.resources.filter((r) => r.type === type);
}

/** A JSON string input, parsed. */
export function parsedJson<T = unknown>(value: unknown): T {
  if (typeof value !== 'string') throw new Error(`Expected a JSON string, got ${typeof value}`);
  return JSON.parse(value) as T;
}

export { PlanMocks, pulumi, resolved };
