import { expect } from 'chai';
import { metricDefinitions, metricsLine } from '../../jobs/runtime/metrics.ts';

const AT = Date.UTC(2026, 0, 1);

describe('job metrics (CloudWatch Embedded Metric Format lines)', () => {
  it("turns an import's summary counts into metrics with rows/s, under the job dimension", () => {
    // GIVEN what the import returns
    const output = { rowsRead: 1000, rowsProduced: 990, rowsRejected: 10, bytesRead: 52_000, seconds: 4 };
    // WHEN
    const line = JSON.parse(metricsLine('import-audience', output, 'audience-io/dev', () => AT)!);
    // THEN
    expect(line).to.deep.equal({
      _aws: {
        Timestamp: AT,
        CloudWatchMetrics: [
          {
            Namespace: 'audience-io/dev',
            Dimensions: [['Job']],
            Metrics: [
              { Name: 'RowsRead', Unit: 'Count' },
              { Name: 'RowsProduced', Unit: 'Count' },
              { Name: 'RowsRejected', Unit: 'Count' },
              { Name: 'BytesRead', Unit: 'Bytes' },
              { Name: 'Seconds', Unit: 'Seconds' },
              { Name: 'RowsPerSecond', Unit: 'Count/Second' },
            ],
          },
        ],
      },
      type: 'metrics',
      Job: 'import-audience',
      RowsRead: 1000,
      RowsProduced: 990,
      RowsRejected: 10,
      BytesRead: 52_000,
      Seconds: 4,
      RowsPerSecond: 250,
    });
  });

  it("counts an export's rows per second from the rows it exported", () => {
    const line = JSON.parse(
      metricsLine('export-audience', { rowsExported: 300, bytesWritten: 9000, seconds: 2 }, 'ns', () => AT)!,
    );
    expect(line).to.deep.include({ RowsExported: 300, BytesWritten: 9000, RowsPerSecond: 150 });
  });

  it('every metric the definitions name is a member of the line, so CloudWatch extracts them all', () => {
    const output = { rowsExported: 1, bytesWritten: 2, seconds: 0 };
    const line = JSON.parse(metricsLine('export-audience', output, 'ns', () => AT)!) as Record<
      string,
      unknown
    >;
    for (const { name } of metricDefinitions(Object.keys(output))) expect(line[name], name).to.be.a('number');
    expect(line.RowsPerSecond).to.equal(1000);
  });

  it('a job without timed row counts (a status transition, an end marker) emits nothing', () => {
    expect(metricsLine('audience-status', { jobId: 'j', status: 'imported', changed: true }, 'ns')).to.equal(
      undefined,
    );
    expect(
      metricsLine('send-end-marker', { topic: 't', partitions: 3, rowsProduced: 5, rowsRejected: 0 }, 'ns'),
    ).to.equal(undefined);
    expect(metricsLine('x', undefined, 'ns')).to.equal(undefined);
  });
});
