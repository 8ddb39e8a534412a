import { conditions } from '../conditions.ts';
import type { CatchNode, ChainNode, FargateTaskNode, StateNode } from '../graph.ts';
import { mapGraph } from '../graph-map.ts';
import { ref } from '../ref.ts';

/**
 * Fargate steps with `retryStoppedTask`, expanded into ASL: `ecs:runTask.sync` fails every stopped task with
 * `States.TaskFailed` and the task's description (DescribeTasks, PascalCase) as cause, so a Catch parses the
 * cause, counts the runs and loops back to the step unless the job refused its input (StopCode
 * EssentialContainerExited with exit code 2) or the runs are used up; then the error goes on as the step's
 * other catcher for it would take it.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stopped-task-error-codes.html
 */
export function withStoppedTaskRetries(root: ChainNode): ChainNode {
  return mapGraph(root, (state) =>
    state.kind === 'fargateTask' && state.retryStoppedTask
      ? withRetry(state, state.retryStoppedTask.maxAttempts)
      : state,
  );
}

/** Where the caught error goes, and where the runs are counted. */
const CAUGHT = '$.taskStopped';

function withRetry(step: FargateTaskNode, maxAttempts: number): FargateTaskNode {
  const name = step.name;
  const counter = `$.taskRuns.${name}`;
  const others = step.catch ?? [];
  const count = (suffix: string, runs: unknown): StateNode => ({
    kind: 'pass',
    name: `${name}${suffix}`,
    parameters: { task: ref(`States.StringToJson(${CAUGHT}.Cause)`), interrupted: runs },
    resultPath: counter,
  });
  const task = <T>(field: string) => ref<T>(`${counter}.task.${field}`);
  const handler: ChainNode = chain([
    {
      kind: 'choice',
      name: `${name}Stopped`,
      comment: 'Counts the runs of a stopped task',
      branches: [
        {
          condition: conditions.isPresent(ref(counter)),
          chain: chain([count('CountAgain', ref(`States.MathAdd(${counter}.interrupted, 1)`))]),
        },
      ],
      otherwise: chain([count('CountFirst', 1)]),
    },
    {
      kind: 'choice',
      name: `${name}RunAgain`,
      comment: `Runs ${name} again unless the job refused its input (exit code 2) or ${maxAttempts} runs more were made`,
      branches: [
        {
          condition: conditions.or(
            conditions.and(
              conditions.eq(task<string>('StopCode'), 'EssentialContainerExited'),
              conditions.eq(task<number>('Containers[0].ExitCode'), 2),
            ),
            conditions.gt(ref<number>(`${counter}.interrupted`), maxAttempts),
          ),
          chain: giveUp(name, others),
        },
      ],
      otherwise: { ...chain([]), gotoState: name, terminated: true },
    },
  ]);
  return {
    ...step,
    catch: [{ errors: ['States.TaskFailed'], resultPath: CAUGHT, next: handler }, ...others],
  };
}

/** The error handed on to the step's catcher for States.TaskFailed, as that catcher would have placed it. */
function giveUp(name: string, others: readonly CatchNode[]): ChainNode {
  const fallback = others.find(
    (c) => c.errors.includes('States.TaskFailed') || c.errors.includes('States.ALL'),
  );
  if (!fallback) {
    return chain(
      [
        {
          kind: 'fail',
          name: `${name}NotRunAgain`,
          error: ref(`${CAUGHT}.Error`),
          cause: ref(`${CAUGHT}.Cause`),
        },
      ],
      true,
    );
  }
  return {
    ...chain([
      {
        kind: 'pass',
        name: `${name}NotRunAgain`,
        parameters: { Error: ref(`${CAUGHT}.Error`), Cause: ref(`${CAUGHT}.Cause`) },
        resultPath: fallback.resultPath,
      },
    ]),
    goto: fallback.next,
    terminated: true,
  };
}

function chain(states: StateNode[], terminated = false): ChainNode {
  return { states, terminated, takesDefaultCatch: false };
}
