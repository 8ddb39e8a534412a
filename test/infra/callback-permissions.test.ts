import { expect } from 'chai';
import { compileWorkflow } from '../../dsl/index.ts';
import { readPlatformConfig } from '../../infra/config.ts';
import { type PlanResult, planProgram } from '../../infra/plan-run.ts';
import { deployAudienceIo, IMPORT_STARTER } from '../../infra/program.ts';
import { allJobs } from '../../jobs/index.ts';
import { allWorkflows } from '../../workflows/index.ts';
import { scoreItem } from '../dsl/examples/jobs/score-item.ts';
import { reviewCallbackWorkflow } from '../dsl/examples/review-callback.ts';
import { allows, plannedPublicStack, plannedRoles, publicStackConfig, roleNamed } from './stack.ts';

/**
 * A job run by a callback step (`.waitForTaskToken`) reports its result and heartbeats to the step itself: its
 * roles, on Lambda and on Fargate, may send SendTaskSuccess/Failure/Heartbeat to that state machine, and no
 * other job's role may.
 */
describe('infra: callback steps give their job the task-token actions', () => {
  let plan: PlanResult;
  before(async () => {
    // After the stacks other files plan, so the mocks of this run do not mix with theirs.
    await plannedPublicStack();
    plan = await planProgram(
      () =>
        deployAudienceIo({
          config: readPlatformConfig(),
          jobs: [...allJobs, scoreItem],
          workflows: [...allWorkflows, reviewCallbackWorkflow],
          compile: compileWorkflow,
          importStarterWorkflowName: IMPORT_STARTER,
          image: { context: '.', dockerfile: 'images/Dockerfile' },
        }),
      publicStackConfig,
      'callbacks',
    );
  });

  const machine = 'arn:aws:states:us-east-1:123456789012:stateMachine:audience-io-review-callback-callbacks';

  for (const role of ['audience-io-score-item-lambda-role', 'audience-io-score-item-fargate-task-role']) {
    it(`${role} may send the review workflow its task's result and heartbeats`, () => {
      const { statements } = roleNamed(plan, role);
      for (const action of ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'])
        expect(allows(statements, action, machine), action).to.equal(true);
    });
  }

  it('no job of the platform workflows (all .sync or plain invokes) may send task results', () => {
    for (const role of plannedRoles(plan).filter((r) => !r.name.includes('score-item'))) {
      expect(
        role.statements.flatMap((s) => s.Action).filter((action) => action.startsWith('states:SendTask')),
        role.name,
      ).to.deep.equal([]);
    }
  });
});
