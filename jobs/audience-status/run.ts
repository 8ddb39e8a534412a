import {
  type AttributeValue,
  ConditionalCheckFailedException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { z } from 'zod';
import type { JobDeps } from '../runtime/clients.ts';
import { JobError } from '../runtime/job-error.ts';
import type { audienceStatus } from './job.ts';
import { readStatusItem, toAttribute } from './table.ts';
import { transitions } from './transitions.ts';

type Input = z.output<typeof audienceStatus.input>;
type Output = z.input<typeof audienceStatus.output>;

/** Deps the status job uses. */
export type AudienceStatusDeps = Pick<JobDeps, 'dynamodb' | 'log' | 'now' | 'config'>;

const MAX_ATTEMPTS = 5;

/**
 * Applies one status transition with a conditional write, so of two racing transitions only one wins;
 * the loser re-reads and either finds its after-state (a no-op) or fails with IllegalTransition.
 */
export async function run(input: Input, deps: AudienceStatusDeps): Promise<Output> {
  const { jobId, jobKind, event, assumedAfterState } = input;
  const transition = transitions[jobKind][event];
  if (!transition) {
    throw new JobError(
      'IllegalTransition',
      `job ${jobId}: event '${event}' does not apply to ${jobKind} jobs`,
    );
  }
  if (transition.to !== assumedAfterState) {
    throw new JobError(
      'IllegalTransition',
      `job ${jobId}: event '${event}' leads to '${transition.to}', not to the assumed after-state '${assumedAfterState}'`,
    );
  }
  const table = deps.config.statusTable;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const item = await readStatusItem(deps.dynamodb, table, jobId);
    if (item?.jobKind !== undefined && item.jobKind !== jobKind) {
      throw new JobError(
        'IllegalTransition',
        `job ${jobId} is an ${item.jobKind} job, not an ${jobKind} job`,
      );
    }
    const from = (typeof item?.status === 'string' ? item.status : 'pending') as Input['assumedAfterState'];
    if (from === transition.to) {
      deps.log.info('status-unchanged', { jobId, event, status: from });
      return { jobId, status: from, changed: false };
    }
    if (!transition.from.includes(from)) {
      throw new JobError(
        'IllegalTransition',
        `job ${jobId}: cannot apply '${event}' (to '${transition.to}') from '${from}'; allowed from: ${transition.from.join(', ')}`,
      );
    }
    const at = new Date(deps.now()).toISOString();
    const fields: Record<string, string | number> = {
      status: transition.to,
      jobKind,
      userSegmentationId: input.userSegmentationId,
      lastEvent: event,
      executionArn: input.executionArn,
      updatedAt: at,
      [`${transition.to}At`]: at,
    };
    if (input.objectKey !== undefined) fields.objectKey = input.objectKey;
    if (input.failedStep !== undefined) fields.failedStep = input.failedStep;
    if (input.error !== undefined) fields.error = input.error;
    if (input.cause !== undefined) fields.cause = input.cause.slice(0, 32_000);
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = {
      ':from': { S: from },
      ':one': { N: '1' },
      ':zero': { N: '0' },
    };
    const sets = ['#version = if_not_exists(#version, :zero) + :one'];
    names['#version'] = 'version';
    for (const [name, value] of Object.entries(fields)) {
      names[`#${name}`] = name;
      values[`:${name}`] = toAttribute(value);
      sets.push(`#${name} = :${name}`);
    }
    try {
      await deps.dynamodb.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { jobId: { S: jobId } },
          UpdateExpression: `SET ${sets.join(', ')}`,
          // A missing item (or one holding only counts) is pending; otherwise the status must still be `from`.
          ConditionExpression:
            from === 'pending' ? 'attribute_not_exists(#status) OR #status = :from' : '#status = :from',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      deps.log.info('status-changed', { jobId, event, from, to: transition.to });
      return { jobId, status: transition.to, changed: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      deps.log.warn('status-race', { jobId, event, from, attempt });
    }
  }
  throw new Error(`job ${jobId}: status kept changing under '${event}' after ${MAX_ATTEMPTS} attempts`);
}
