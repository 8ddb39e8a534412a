import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { type LocalRunOptions, runWorkflowLocally } from '../../local/runner/execution.ts';
import { namedError } from '../../local/runner/named-error.ts';
import {
  parallelScoringWorkflow,
  reportPollingWorkflow,
  reviewCallbackWorkflow,
  shardFanoutWorkflow,
} from '../dsl/examples/index.ts';

/**
 * The example workflows under the local runner. None needs an AWS service or Kafka: the runtime configuration
 * points at a closed port, so a call to either would fail the execution.
 */
function options(extra: Partial<LocalRunOptions> = {}): LocalRunOptions {
  return {
    env: {
      ...process.env,
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      KAFKA_BROKERS: '127.0.0.1:9',
      TASK_HEARTBEAT_INTERVAL_MS: '200',
    },
    executionsDir: mkdtempSync(join(tmpdir(), 'runner-examples-')),
    ...extra,
  };
}

const entered = (history: readonly { state: string }[], state: string) =>
  history.filter((row) => row.state === state).length;

describe('local runner: the example workflows', function () {
  this.timeout(120_000);

  it('runs the polling loop: back to the wait while the job reports running, out when it reports done', async () => {
    // WHEN the report's status job answers running, running, done
    const execution = await runWorkflowLocally(reportPollingWorkflow, { reportId: 'r1' }, options());
    // THEN the loop went round three times and ended in ReportDone
    expect(execution.status, execution.cause).to.equal('SUCCEEDED');
    expect(entered(execution.history, 'GetStatus')).to.equal(3);
    expect(entered(execution.history, 'WaitForReport')).to.equal(3);
    expect(execution.history.at(-1)?.state).to.equal('ReportDone');
    expect(execution.output).to.deep.include({
      request: { Payload: { requestId: 'request-r1', state: 'done', polls: 3 } },
    });
  });

  it('waits for the callback of a Lambda and a Fargate job that heartbeat, and takes what they send back', async () => {
    // WHEN each job works 2.5 s, beyond the Lambda step's 1 s HeartbeatSeconds, heartbeating as it goes
    const execution = await runWorkflowLocally(
      reviewCallbackWorkflow,
      { itemId: 'doc-7', workMs: 2500, heartbeat: true },
      options(),
    );
    // THEN both steps succeeded with the jobs' outputs as their results
    expect(execution.status, execution.cause).to.equal('SUCCEEDED');
    const output = execution.output as { lambda: { heartbeats: number }; fargate: { itemId: string } };
    expect(output.lambda).to.deep.include({ itemId: 'doc-7', score: 5 });
    expect(output.lambda.heartbeats).to.equal(25);
    expect(output.fargate).to.deep.equal({ itemId: 'doc-7', score: 5, heartbeats: 25 });
  });

  it('fails a callback step with States.HeartbeatTimeout when its job stops heartbeating', async () => {
    // WHEN the job works 2.5 s without a heartbeat, against a 1 s HeartbeatSeconds
    const execution = await runWorkflowLocally(
      reviewCallbackWorkflow,
      { itemId: 'doc-8', workMs: 2500, heartbeat: false },
      options(),
    );
    // THEN the step timed out on its heartbeat and the Fargate step never ran
    expect(execution.status).to.equal('FAILED');
    expect(execution).to.include({ error: 'States.HeartbeatTimeout', failedState: 'ScoreOnLambda' });
    expect(entered(execution.history, 'ScoreOnFargate')).to.equal(0);
  });

  it('retries a Parallel on a branch failure and reduces its result with the selector', async () => {
    // GIVEN the Lambda service fails the first call of one branch
    const execution = await runWorkflowLocally(
      parallelScoringWorkflow,
      { first: 'a', second: 'bbb' },
      options({
        interceptLambda: async ({ state, attempt }, invoke) => {
          if (state === 'ScoreFirst' && attempt === 1)
            throw namedError('Lambda.ServiceException', 'injected');
          return invoke();
        },
      }),
    );
    // THEN the whole Parallel ran twice and its result is the selected pair
    expect(execution.status, execution.cause).to.equal('SUCCEEDED');
    expect(execution.history.find((row) => row.state === 'ScoreBoth')).to.include({ attempts: 2 });
    expect(execution.output).to.deep.include({ scores: { first: 1, second: 3 } });
  });

  it("catches a branch's job error into the Parallel's handler", async () => {
    const execution = await runWorkflowLocally(
      parallelScoringWorkflow,
      { first: 'a', second: 'b' },
      options({
        interceptLambda: async ({ state }, invoke) => {
          if (state === 'ScoreSecond') throw namedError('ItemRejected', 'refused by the test');
          return invoke();
        },
      }),
    );
    expect(execution).to.include({ status: 'FAILED', error: 'ScoringFailed' });
    expect(execution.history.find((row) => row.state === 'ScoreBoth')).to.include({ status: 'caught' });
  });

  it('runs a distributed map over planned shards: a Fargate task each, never more than MaxConcurrency at once', async () => {
    // GIVEN a record of the tasks running at any moment
    let runningNow = 0;
    let mostAtOnce = 0;
    const shards = new Set<string>();
    const execution = await runWorkflowLocally(
      shardFanoutWorkflow,
      { jobId: 'job-1', shards: 3, maxConcurrency: 2 },
      options({
        onTaskStarted: () => {
          runningNow++;
          mostAtOnce = Math.max(mostAtOnce, runningNow);
        },
        onEvent: (event) => {
          if (event.type !== 'task-log' || !event.line.includes('"type":"summary"')) return;
          runningNow--;
          shards.add((JSON.parse(event.line) as { output: { itemId: string } }).output.itemId);
        },
      }),
    );
    // THEN every shard ran once, at most two at a time, and the plan's Choice let the map run
    expect(execution.status, execution.cause).to.equal('SUCCEEDED');
    expect([...shards].sort()).to.deep.equal(['job-1-shard-0', 'job-1-shard-1', 'job-1-shard-2']);
    expect(mostAtOnce).to.be.at.most(2);
    expect(execution.output).to.deep.include({ summary: { jobId: 'job-1', shardCount: 3 } });
  });

  it('skips the map when the plan has no shards (a Choice on the plan step)', async () => {
    const execution = await runWorkflowLocally(
      shardFanoutWorkflow,
      { jobId: 'job-2', shards: 0, maxConcurrency: 2 },
      options(),
    );
    expect(execution.status, execution.cause).to.equal('SUCCEEDED');
    expect(execution.history.map((row) => row.state)).to.deep.equal([
      'PlanShards',
      'AnyShards',
      'NothingToDo',
    ]);
  });
});
