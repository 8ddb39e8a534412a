import { expect } from 'chai';
import { compileWorkflow } from '../../dsl/index.ts';
import type { AnyJob } from '../../dsl/job.ts';
import { readPlatformConfig } from '../../infra/config.ts';
import { PlanMocks } from '../../infra/plan-mocks.ts';
import { AudiencePlatform, type CompiledSource, WorkflowIssuesError } from '../../infra/platform.ts';
import { allJobs, sendEndMarker } from '../../jobs/index.ts';
import { allWorkflows } from '../../workflows/index.ts';
import { devConfig, plannedSecretStack, pulumi } from './stack.ts';

type Compile = (
  workflow: (typeof allWorkflows)[number],
  bindings: Parameters<typeof compileWorkflow>[1],
) => CompiledSource;

/** Builds the platform under fresh mocks and returns what it threw and what it registered. */
async function attempt(options: {
  compile?: Compile;
  jobs?: readonly AnyJob[];
  workflows?: typeof allWorkflows;
}) {
  // After the other stacks, so this run's mocks do not mix with theirs.
  await plannedSecretStack();
  const mocks = new PlanMocks();
  pulumi.runtime.setAllConfig(devConfig.values, devConfig.secretKeys);
  await pulumi.runtime.setMocks(mocks, 'audience-io', 'preflight', false);
  let thrown: unknown;
  try {
    new AudiencePlatform('audience-io', {
      config: readPlatformConfig(),
      jobs: options.jobs ?? allJobs,
      workflows: options.workflows ?? allWorkflows,
      compile: options.compile ?? compileWorkflow,
      image: { context: '.', dockerfile: 'images/Dockerfile' },
    });
  } catch (error) {
    thrown = error;
  }
  await pulumi.runtime.disconnect();
  return { thrown, registered: mocks.resources };
}

describe('infra: problems stop the program before anything is created', () => {
  it('a workflow with validation issues: every issue listed, no resource registered', async () => {
    const { thrown, registered } = await attempt({
      compile: (workflow, bindings) => ({
        ...compileWorkflow(workflow, bindings),
        issues: [
          {
            code: 'NEXT_TARGET_MISSING',
            path: 'States.ImportToKafka',
            message: "Next 'Nowhere' is not a state",
          },
        ],
      }),
    });
    expect(thrown).to.be.instanceOf(WorkflowIssuesError);
    for (const workflow of allWorkflows) {
      expect((thrown as Error).message).to.contain(
        `Workflow '${workflow.name}': NEXT_TARGET_MISSING at States.ImportToKafka: Next 'Nowhere' is not a state`,
      );
    }
    expect(registered).to.deep.equal([]);
  });

  it('a workflow using a job missing from allJobs is named with the job', async () => {
    const { thrown, registered } = await attempt({ jobs: allJobs.filter((job) => job !== sendEndMarker) });
    expect((thrown as Error).message).to.contain(
      "Workflow 'import-audience': job 'send-end-marker' is not in jobs/index.ts allJobs",
    );
    expect(registered).to.deep.equal([]);
  });

  it('no import starter workflow for the trigger is an error', async () => {
    const { thrown } = await attempt({ workflows: allWorkflows.filter((w) => w.name !== 'import-starter') });
    expect((thrown as Error).message).to.contain("No workflow named 'import-starter'");
  });
});
