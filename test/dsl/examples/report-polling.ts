import { z } from 'zod';
import { conditions, defineWorkflow, retryPresets } from '../../../dsl/index.ts';
import { reportStatus } from './jobs/report-status.ts';
import { submitReport } from './jobs/submit-report.ts';

/**
 * The polling loop CDK writes with `choice.otherwise(wait)`: submit, wait, poll the status, and go back to the
 * wait until the request is done or failed.
 */
export const reportPollingWorkflow = defineWorkflow({
  name: 'report-polling',
  description: 'Submits a report and polls until it is done',
  input: z.object({ reportId: z.string() }),
  defaults: { retry: { lambda: [retryPresets.lambdaServiceErrors()] } },
  definition: (start) =>
    start
      .lambdaStep('Submit', submitReport, ($) => ({ reportId: $.reportId }), { resultPath: '$.request' })
      .wait('WaitForReport', { seconds: 1 })
      .lambdaStep(
        'GetStatus',
        reportStatus,
        ($) => ({ requestId: $.request.Payload.requestId, polls: $.request.Payload.polls }),
        { resultPath: '$.request' },
      )
      .choice(
        'IsReportDone',
        ($) => [
          {
            condition: conditions.eq($.request.Payload.state, 'done'),
            steps: (done) => done.succeed('ReportDone'),
          },
          {
            condition: conditions.eq($.request.Payload.state, 'failed'),
            steps: (failed) => failed.fail('ReportFailed', { error: 'ReportFailed' }),
          },
        ],
        (otherwise) => otherwise.goto('WaitForReport'),
      ),
});
