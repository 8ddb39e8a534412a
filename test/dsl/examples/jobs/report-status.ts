import { z } from 'zod';
import { defineJob } from '../../../../dsl/index.ts';

/** Where a report request is: what the submit and status jobs both answer. */
export const ReportRequest = z.object({
  requestId: z.string(),
  state: z.enum(['submitted', 'running', 'done', 'failed']),
  polls: z.number().int(),
});

/** Reports a request's state: running for the first two polls, then done (a stand-in for a remote system). */
export const reportStatus = defineJob({
  name: 'report-status',
  description: 'Reports the state of a report request',
  input: z.object({ requestId: z.string(), polls: z.number().int() }),
  output: ReportRequest,
  runsOn: ['lambda'],
  module: 'test/dsl/examples/jobs/report-status.ts',
});

/** Runs the job. */
export async function run(
  input: z.output<typeof reportStatus.input>,
): Promise<z.input<typeof ReportRequest>> {
  const polls = input.polls + 1;
  return { requestId: input.requestId, state: polls >= 3 ? 'done' : 'running', polls };
}
