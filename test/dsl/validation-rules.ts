/** The structural rules' cases: a failing definition with the issues it yields, and its corrected form. */

/** A definition as the rules see it. */
export type Definition = { StartAt: string; States: Record<string, Record<string, unknown>> };

/** A Task state calling a Lambda, with extra fields. */
export function task(fields: Record<string, unknown>): Record<string, unknown> {
  return { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', ...fields };
}

/** One failing and one passing definition per rule; the failing one yields exactly `issues`. */
interface RuleCase {
  readonly rule: string;
  readonly failing: Definition;
  readonly issues: { code: string; path: string }[];
  readonly passing: Definition;
}

const LONGEST_NAME = 'N'.repeat(80);

/** One failing and one passing case per rule in `RULES`. */
export const ruleCases: RuleCase[] = [
  {
    rule: 'START_AT_MISSING',
    failing: { StartAt: 'Nowhere', States: { A: { Type: 'Succeed' } } },
    // Nothing is reachable from a missing start, so the state is reported as well.
    issues: [
      { code: 'START_AT_MISSING', path: 'StartAt' },
      { code: 'UNREACHABLE_STATE', path: 'States.A' },
    ],
    passing: { StartAt: 'A', States: { A: { Type: 'Succeed' } } },
  },
  {
    rule: 'STATE_NAME_TOO_LONG',
    failing: { StartAt: `${LONGEST_NAME}X`, States: { [`${LONGEST_NAME}X`]: { Type: 'Succeed' } } },
    issues: [{ code: 'STATE_NAME_TOO_LONG', path: `States.${LONGEST_NAME}X` }],
    passing: { StartAt: LONGEST_NAME, States: { [LONGEST_NAME]: { Type: 'Succeed' } } },
  },
  {
    rule: 'NEXT_TARGET_MISSING',
    failing: {
      StartAt: 'A',
      States: { A: task({ Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Missing' }], End: true }) },
    },
    issues: [{ code: 'NEXT_TARGET_MISSING', path: 'States.A.Catch[0].Next' }],
    passing: {
      StartAt: 'A',
      States: {
        A: task({ Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Handle' }], End: true }),
        Handle: { Type: 'Fail', Error: 'Failed' },
      },
    },
  },
  {
    rule: 'CATCH_TARGET_OUT_OF_SCOPE',
    failing: {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'X',
              States: { X: task({ Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Done' }], End: true }) },
            },
          ],
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    },
    issues: [{ code: 'CATCH_TARGET_OUT_OF_SCOPE', path: 'States.P.Branches[0].States.X.Catch[0].Next' }],
    passing: {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'X',
              States: {
                X: task({ Catch: [{ ErrorEquals: ['States.ALL'], Next: 'BranchFailed' }], End: true }),
                BranchFailed: { Type: 'Fail', Error: 'Failed' },
              },
            },
          ],
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Done' }],
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    },
  },
  {
    rule: 'UNREACHABLE_STATE',
    failing: { StartAt: 'A', States: { A: { Type: 'Pass', End: true }, Orphan: { Type: 'Succeed' } } },
    issues: [{ code: 'UNREACHABLE_STATE', path: 'States.Orphan' }],
    passing: { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Succeed' } } },
  },
  {
    rule: 'NO_TERMINAL_STATE',
    failing: { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' } } },
    issues: [{ code: 'NO_TERMINAL_STATE', path: 'States' }],
    passing: { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', End: true } } },
  },
  {
    rule: 'NEXT_OR_END',
    failing: {
      StartAt: 'A',
      States: { A: { Type: 'Pass', Next: 'B', End: true }, B: { Type: 'Succeed' } },
    },
    issues: [{ code: 'NEXT_OR_END', path: 'States.A' }],
    passing: { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Succeed' } } },
  },
  {
    rule: 'STATES_ALL_NOT_ALONE',
    failing: {
      StartAt: 'A',
      States: { A: task({ Retry: [{ ErrorEquals: ['States.Timeout', 'States.ALL'] }], End: true }) },
    },
    issues: [{ code: 'STATES_ALL_NOT_ALONE', path: 'States.A.Retry[0]' }],
    passing: {
      StartAt: 'A',
      States: {
        A: task({ Retry: [{ ErrorEquals: ['States.Timeout'] }, { ErrorEquals: ['States.ALL'] }], End: true }),
      },
    },
  },
  {
    rule: 'STATES_ALL_NOT_LAST',
    failing: {
      StartAt: 'A',
      States: {
        A: task({
          Catch: [
            { ErrorEquals: ['States.ALL'], Next: 'Handle' },
            { ErrorEquals: ['States.Timeout'], Next: 'Handle' },
          ],
          End: true,
        }),
        Handle: { Type: 'Fail', Error: 'Failed' },
      },
    },
    issues: [{ code: 'STATES_ALL_NOT_LAST', path: 'States.A.Catch[0]' }],
    passing: {
      StartAt: 'A',
      States: {
        A: task({
          Catch: [
            { ErrorEquals: ['States.Timeout'], Next: 'Handle' },
            { ErrorEquals: ['States.ALL'], Next: 'Handle' },
          ],
          End: true,
        }),
        Handle: { Type: 'Fail', Error: 'Failed' },
      },
    },
  },
  {
    rule: 'EMPTY_ERROR_EQUALS',
    failing: { StartAt: 'A', States: { A: task({ Retry: [{ ErrorEquals: [] }], End: true }) } },
    issues: [{ code: 'EMPTY_ERROR_EQUALS', path: 'States.A.Retry[0]' }],
    passing: {
      StartAt: 'A',
      States: { A: task({ Retry: [{ ErrorEquals: ['States.TaskFailed'] }], End: true }) },
    },
  },
  {
    rule: 'RETRY_OUT_OF_RANGE',
    failing: {
      StartAt: 'A',
      States: {
        A: task({
          Retry: [
            {
              ErrorEquals: ['States.TaskFailed'],
              IntervalSeconds: 0,
              MaxAttempts: -1,
              BackoffRate: 0.5,
              MaxDelaySeconds: 31622401,
              JitterStrategy: 'HALF',
            },
          ],
          End: true,
        }),
      },
    },
    issues: [
      { code: 'RETRY_OUT_OF_RANGE', path: 'States.A.Retry[0].IntervalSeconds' },
      { code: 'RETRY_OUT_OF_RANGE', path: 'States.A.Retry[0].MaxAttempts' },
      { code: 'RETRY_OUT_OF_RANGE', path: 'States.A.Retry[0].BackoffRate' },
      { code: 'RETRY_OUT_OF_RANGE', path: 'States.A.Retry[0].MaxDelaySeconds' },
      { code: 'RETRY_OUT_OF_RANGE', path: 'States.A.Retry[0].JitterStrategy' },
    ],
    // The boundary values are allowed.
    passing: {
      StartAt: 'A',
      States: {
        A: task({
          Retry: [
            {
              ErrorEquals: ['States.TaskFailed'],
              IntervalSeconds: 1,
              MaxAttempts: 0,
              BackoffRate: 1,
              MaxDelaySeconds: 31622400,
              JitterStrategy: 'FULL',
            },
          ],
          End: true,
        }),
      },
    },
  },
  {
    rule: 'CHOICE_WITHOUT_RULES',
    failing: {
      StartAt: 'C',
      States: { C: { Type: 'Choice', Choices: [], Default: 'B' }, B: { Type: 'Succeed' } },
    },
    issues: [{ code: 'CHOICE_WITHOUT_RULES', path: 'States.C' }],
    passing: {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.go', BooleanEquals: true, Next: 'B' }], Default: 'B' },
        B: { Type: 'Succeed' },
      },
    },
  },
  {
    rule: 'MAP_SETTING_OUT_OF_RANGE',
    failing: {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'Y', States: { Y: { Type: 'Pass', End: true } } },
          MaxConcurrency: -1,
          ToleratedFailurePercentage: 101,
          ToleratedFailureCount: 1.5,
          Label: 'L'.repeat(41),
          End: true,
        },
      },
    },
    issues: [
      { code: 'MAP_SETTING_OUT_OF_RANGE', path: 'States.M.MaxConcurrency' },
      { code: 'MAP_SETTING_OUT_OF_RANGE', path: 'States.M.ToleratedFailurePercentage' },
      { code: 'MAP_SETTING_OUT_OF_RANGE', path: 'States.M.ToleratedFailureCount' },
      { code: 'MAP_SETTING_OUT_OF_RANGE', path: 'States.M.Label' },
    ],
    passing: {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemProcessor: { StartAt: 'Y', States: { Y: { Type: 'Pass', End: true } } },
          MaxConcurrency: 0,
          ToleratedFailurePercentage: 100,
          ToleratedFailureCount: 0,
          Label: 'L'.repeat(40),
          End: true,
        },
      },
    },
  },
  {
    rule: 'TIMEOUT_OUT_OF_RANGE',
    failing: {
      StartAt: 'A',
      States: { A: callback({ TimeoutSeconds: 0, HeartbeatSeconds: 1.5, End: true }) },
    },
    issues: [
      { code: 'TIMEOUT_OUT_OF_RANGE', path: 'States.A.TimeoutSeconds' },
      { code: 'TIMEOUT_OUT_OF_RANGE', path: 'States.A.HeartbeatSeconds' },
    ],
    passing: { StartAt: 'A', States: { A: callback({ TimeoutSeconds: 2, HeartbeatSeconds: 1, End: true }) } },
  },
  {
    rule: 'STATE_NAME_DUPLICATE',
    failing: {
      StartAt: 'P',
      States: {
        P: { Type: 'Parallel', Branches: [{ StartAt: 'A', States: { A: { Type: 'Succeed' } } }], Next: 'A' },
        A: { Type: 'Succeed' },
      },
    },
    // Found once, at the second place, naming the first.
    issues: [{ code: 'STATE_NAME_DUPLICATE', path: 'States.A' }],
    passing: {
      StartAt: 'P',
      States: {
        P: { Type: 'Parallel', Branches: [{ StartAt: 'B', States: { B: { Type: 'Succeed' } } }], Next: 'A' },
        A: { Type: 'Succeed' },
      },
    },
  },
  {
    rule: 'HEARTBEAT_NOT_BELOW_TIMEOUT',
    failing: {
      StartAt: 'A',
      States: { A: callback({ TimeoutSeconds: 60, HeartbeatSeconds: 60, End: true }) },
    },
    issues: [{ code: 'HEARTBEAT_NOT_BELOW_TIMEOUT', path: 'States.A.HeartbeatSeconds' }],
    passing: {
      StartAt: 'A',
      States: { A: callback({ TimeoutSeconds: 60, HeartbeatSeconds: 59, End: true }) },
    },
  },
  {
    rule: 'HEARTBEAT_WITHOUT_CALLBACK',
    failing: { StartAt: 'A', States: { A: task({ HeartbeatSeconds: 60, End: true }) } },
    issues: [{ code: 'HEARTBEAT_WITHOUT_CALLBACK', path: 'States.A.HeartbeatSeconds' }],
    passing: {
      StartAt: 'A',
      States: {
        A: {
          Type: 'Task',
          Resource: 'arn:aws:states:us-east-1:123456789012:activity:review',
          HeartbeatSeconds: 60,
          End: true,
        },
      },
    },
  },
  {
    rule: 'TASK_TOKEN_NOT_PASSED',
    failing: {
      StartAt: 'A',
      States: { A: { ...callback({ End: true }), Parameters: { FunctionName: 'f', Payload: { id: 1 } } } },
    },
    issues: [{ code: 'TASK_TOKEN_NOT_PASSED', path: 'States.A.Parameters' }],
    passing: { StartAt: 'A', States: { A: callback({ End: true }) } },
  },
];

/** A Lambda task waiting for a callback, with the task token in its payload. */
function callback(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    Parameters: { FunctionName: 'f', Payload: { 'token.$': '$$.Task.Token' } },
    ...fields,
  };
}
