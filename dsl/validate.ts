import type { ValidationIssue } from './validation-issue.ts';

/** Maximum length of a state name (AWS). */
export const MAX_STATE_NAME_LENGTH = 80;

type Json = Record<string, unknown>;

/** Stable codes of the structural rules, each checked by `validateDefinition`. */
export const RULES = {
  START_AT_MISSING: 'StartAt names a state that does not exist',
  STATE_NAME_TOO_LONG: `a state name is longer than ${MAX_STATE_NAME_LENGTH} characters`,
  STATE_NAME_DUPLICATE:
    'two states share a name (names are unique in the whole state machine, branches included)',
  NEXT_TARGET_MISSING: 'a Next, Default or Catch target does not exist in the same scope',
  CATCH_TARGET_OUT_OF_SCOPE: 'a Catch (or Next) leads to a state of another branch, map or the parent',
  UNREACHABLE_STATE: 'a state cannot be reached from StartAt',
  NO_TERMINAL_STATE: 'no terminal state (End, Succeed, Fail) can be reached',
  NEXT_OR_END: 'a state has both Next and End, or neither',
  STATES_ALL_NOT_ALONE: 'States.ALL shares an ErrorEquals with other names',
  STATES_ALL_NOT_LAST: 'a rule matching States.ALL is not the last Retry or Catch',
  EMPTY_ERROR_EQUALS: 'a Retry or Catch has no error names',
  RETRY_OUT_OF_RANGE: 'a Retry field is out of range',
  CHOICE_WITHOUT_RULES: 'a Choice state has no rules',
  MAP_SETTING_OUT_OF_RANGE: 'a Map setting is out of range',
  TIMEOUT_OUT_OF_RANGE: 'a timeout is not a positive integer',
  HEARTBEAT_NOT_BELOW_TIMEOUT: 'HeartbeatSeconds is not smaller than TimeoutSeconds',
  HEARTBEAT_WITHOUT_CALLBACK:
    'HeartbeatSeconds on a task that cannot send heartbeats (only callbacks and activities do)',
  TASK_TOKEN_NOT_PASSED: 'a .waitForTaskToken task does not pass $$.Task.Token in its Parameters',
} as const;

export type RuleCode = keyof typeof RULES;

/**
 * Checks an ASL definition against the structural rules and returns every issue found, with the path of
 * the state it concerns. Works on compiled workflows and on hand-written ASL alike.
 */
export function validateDefinition(definition: { StartAt?: unknown; States?: unknown }): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const allNames = new Map<string, string>();
  collectNames(definition, '', allNames, issues);
  validateScope(definition, '', issues, new Set(allNames.keys()));
  return issues;
}

/** Records where each name is first used; a name used again in another scope is a duplicate. */
function collectNames(
  scope: { States?: unknown },
  scopePath: string,
  into: Map<string, string>,
  issues: ValidationIssue[],
): void {
  for (const [name, state] of Object.entries((scope.States ?? {}) as Record<string, Json>)) {
    const path = `${scopePath ? `${scopePath}.` : ''}States.${name}`;
    const first = into.get(name);
    if (first === undefined) into.set(name, path);
    else
      issues.push({
        code: 'STATE_NAME_DUPLICATE',
        path,
        message: `State name '${name}' is used twice (also at ${first}); names must be unique in the whole state machine`,
      });
    for (const child of childScopes(state)) collectNames(child.scope, `${path}.${child.path}`, into, issues);
  }
}

function childScopes(state: Json): { scope: Json; path: string }[] {
  const children: { scope: Json; path: string }[] = [];
  if (Array.isArray(state.Branches)) {
    state.Branches.forEach((b, i) => {
      children.push({ scope: b as Json, path: `Branches[${i}]` });
    });
  }
  const processor = (state.ItemProcessor ?? state.Iterator) as Json | undefined;
  if (processor)
    children.push({ scope: processor, path: state.ItemProcessor ? 'ItemProcessor' : 'Iterator' });
  return children;
}

function validateScope(
  scope: Json,
  scopePath: string,
  issues: ValidationIssue[],
  allNames: Set<string>,
): void {
  const states = (scope.States ?? {}) as Record<string, Json>;
  const at = (name: string) => `${scopePath ? `${scopePath}.` : ''}States.${name}`;
  const report = (code: RuleCode, path: string, message: string) => issues.push({ code, path, message });
  const startAt = String(scope.StartAt ?? '');
  if (!(startAt in states)) {
    report(
      'START_AT_MISSING',
      `${scopePath ? `${scopePath}.` : ''}StartAt`,
      `StartAt '${startAt}' is not a state here`,
    );
  }

  const edges = new Map<string, string[]>();
  for (const [name, state] of Object.entries(states)) {
    const path = at(name);
    if (name.length > MAX_STATE_NAME_LENGTH) {
      report(
        'STATE_NAME_TOO_LONG',
        path,
        `State name has ${name.length} characters; at most ${MAX_STATE_NAME_LENGTH}`,
      );
    }
    const targets: string[] = [];
    const target = (value: unknown, field: string, isCatch = false) => {
      if (typeof value !== 'string') return;
      targets.push(value);
      if (value in states) return;
      if (allNames.has(value)) {
        report(
          'CATCH_TARGET_OUT_OF_SCOPE',
          `${path}.${field}`,
          `${isCatch ? 'Catch' : field} target '${value}' is in another scope; it must be in the same branch, map or top level`,
        );
      } else {
        report('NEXT_TARGET_MISSING', `${path}.${field}`, `${field} target '${value}' does not exist`);
      }
    };
    const type = state.Type;
    target(state.Next, 'Next');
    if (type === 'Choice') {
      const choices = (state.Choices ?? []) as Json[];
      if (choices.length === 0) report('CHOICE_WITHOUT_RULES', path, `Choice state '${name}' has no rules`);
      choices.forEach((c, i) => {
        target(c.Next, `Choices[${i}].Next`);
      });
      target(state.Default, 'Default');
    } else if (type !== 'Succeed' && type !== 'Fail') {
      const hasNext = state.Next !== undefined;
      const hasEnd = state.End === true;
      if (hasNext === hasEnd) {
        report('NEXT_OR_END', path, `State '${name}' must have exactly one of Next and End: true`);
      }
    }
    checkRecovery(state, path, report, target);
    checkSettings(state, path, report);
    edges.set(name, targets);
    for (const child of childScopes(state))
      validateScope(child.scope, `${path}.${child.path}`, issues, allNames);
  }

  const reached = reachable(startAt, edges);
  for (const name of Object.keys(states)) {
    if (!reached.has(name))
      report('UNREACHABLE_STATE', at(name), `State '${name}' cannot be reached from '${startAt}'`);
  }
  const terminal = [...reached].some((name) => {
    const state = states[name];
    return state && (state.End === true || state.Type === 'Succeed' || state.Type === 'Fail');
  });
  if (startAt in states && !terminal) {
    report(
      'NO_TERMINAL_STATE',
      `${scopePath ? `${scopePath}.` : ''}States`,
      'No End, Succeed or Fail state can be reached',
    );
  }
}

type Report = (code: RuleCode, path: string, message: string) => void;

function checkRecovery(
  state: Json,
  path: string,
  report: Report,
  target: (v: unknown, f: string, c?: boolean) => void,
) {
  for (const field of ['Retry', 'Catch'] as const) {
    const rules = (state[field] ?? []) as Json[];
    rules.forEach((rule, i) => {
      const rulePath = `${path}.${field}[${i}]`;
      const errors = (rule.ErrorEquals ?? []) as string[];
      if (errors.length === 0) report('EMPTY_ERROR_EQUALS', rulePath, `${field} rule has no ErrorEquals`);
      if (errors.includes('States.ALL')) {
        if (errors.length > 1)
          report('STATES_ALL_NOT_ALONE', rulePath, 'States.ALL must be the only name in its ErrorEquals');
        if (i !== rules.length - 1)
          report('STATES_ALL_NOT_LAST', rulePath, `The States.ALL rule must be the last ${field} rule`);
      }
      if (field === 'Catch') target(rule.Next, `Catch[${i}].Next`, true);
      else checkRetryRanges(rule, rulePath, report);
    });
  }
}

function checkRetryRanges(rule: Json, path: string, report: Report) {
  const bad = (field: string, reason: string) =>
    report('RETRY_OUT_OF_RANGE', `${path}.${field}`, `${field} = ${String(rule[field])}: ${reason}`);
  const interval = rule.IntervalSeconds;
  if (
    interval !== undefined &&
    !(Number.isInteger(interval) && (interval as number) >= 1 && (interval as number) <= 99999999)
  ) {
    bad('IntervalSeconds', 'must be an integer from 1 to 99999999');
  }
  const attempts = rule.MaxAttempts;
  if (
    attempts !== undefined &&
    !(Number.isInteger(attempts) && (attempts as number) >= 0 && (attempts as number) <= 99999999)
  ) {
    bad('MaxAttempts', 'must be an integer from 0 to 99999999');
  }
  const backoff = rule.BackoffRate;
  if (backoff !== undefined && !(typeof backoff === 'number' && backoff >= 1))
    bad('BackoffRate', 'must be at least 1.0');
  const maxDelay = rule.MaxDelaySeconds;
  if (
    maxDelay !== undefined &&
    !(Number.isInteger(maxDelay) && (maxDelay as number) >= 1 && (maxDelay as number) <= 31622400)
  ) {
    bad('MaxDelaySeconds', 'must be an integer from 1 to 31622400');
  }
  if (rule.JitterStrategy !== undefined && !['FULL', 'NONE'].includes(rule.JitterStrategy as string)) {
    bad('JitterStrategy', "must be 'FULL' or 'NONE'");
  }
}

function checkSettings(state: Json, path: string, report: Report) {
  for (const field of ['TimeoutSeconds', 'HeartbeatSeconds']) {
    const value = state[field];
    if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 1)) {
      report(
        'TIMEOUT_OUT_OF_RANGE',
        `${path}.${field}`,
        `${field} = ${String(value)}: must be a positive integer`,
      );
    }
  }
  checkCallback(state, path, report);
  if (state.Type !== 'Map') return;
  const bad = (field: string, reason: string) =>
    report('MAP_SETTING_OUT_OF_RANGE', `${path}.${field}`, `${field} = ${String(state[field])}: ${reason}`);
  const concurrency = state.MaxConcurrency;
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && (concurrency as number) >= 0)) {
    bad('MaxConcurrency', 'must be a non-negative integer');
  }
  const percentage = state.ToleratedFailurePercentage;
  if (percentage !== undefined && !(typeof percentage === 'number' && percentage >= 0 && percentage <= 100)) {
    bad('ToleratedFailurePercentage', 'must be from 0 to 100');
  }
  const count = state.ToleratedFailureCount;
  if (count !== undefined && !(Number.isInteger(count) && (count as number) >= 0)) {
    bad('ToleratedFailureCount', 'must be a non-negative integer');
  }
  if (typeof state.Label === 'string' && state.Label.length > 40)
    bad('Label', 'must be at most 40 characters');
}

/** Heartbeats and task tokens: what only a callback (or an activity) task can use, and must. */
function checkCallback(state: Json, path: string, report: Report) {
  if (state.Type !== 'Task' || typeof state.Resource !== 'string') return;
  const { TimeoutSeconds: timeout, HeartbeatSeconds: heartbeat } = state;
  if (
    Number.isInteger(heartbeat) &&
    Number.isInteger(timeout) &&
    (heartbeat as number) >= (timeout as number)
  ) {
    report(
      'HEARTBEAT_NOT_BELOW_TIMEOUT',
      `${path}.HeartbeatSeconds`,
      `HeartbeatSeconds = ${heartbeat} must be smaller than TimeoutSeconds = ${timeout}`,
    );
  }
  const callback = state.Resource.endsWith('.waitForTaskToken');
  const activity = /^arn:[^:]+:states:[^:]*:[^:]*:activity:/.test(state.Resource);
  if (heartbeat !== undefined && !callback && !activity) {
    report(
      'HEARTBEAT_WITHOUT_CALLBACK',
      `${path}.HeartbeatSeconds`,
      `Only a callback task (.waitForTaskToken) or an activity receives heartbeats; ${state.Resource} would time out after ${String(heartbeat)} s`,
    );
  }
  if (callback && !JSON.stringify(state.Parameters ?? {}).includes('$$.Task.Token')) {
    report(
      'TASK_TOKEN_NOT_PASSED',
      `${path}.Parameters`,
      'A .waitForTaskToken task waits for someone to call back with $$.Task.Token, which its Parameters never pass',
    );
  }
}

function reachable(start: string, edges: Map<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const queue = edges.has(start) ? [start] : [];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    if (seen.has(name)) continue;
    seen.add(name);
    for (const next of edges.get(name) ?? []) if (edges.has(next)) queue.push(next);
  }
  return seen;
}
