import { z } from 'zod';
import { defineJob } from '../../../../dsl/index.ts';
import { ReportRequest } from './report-status.ts';

/** Submits a report request (a stand-in for a remote system that works asynchronously). */
export const submitReport = defineJob({
  name: 'submit-report',
  description: 'Submits a report request',
  input: z.object({ reportId: z.string() }),
  output: ReportRequest,
  runsOn: ['lambda'],
  module: 'test/dsl/examples/jobs/submit-report.ts',
  errors: ['ReportRejected'],
});

/** Runs the job. */
export async function run(
  input: z.output<typeof submitReport.input>,
): Promise<z.input<typeof ReportRequest>> {
  return { requestId: `request-${input.reportId}`, state: 'submitted', polls: 0 };
}
