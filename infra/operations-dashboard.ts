import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { JOB_DIMENSION, ROWS_PER_SECOND } from '../jobs/runtime/metrics.ts';

/** One workflow on the dashboard: its state machine, and the jobs whose rows/s it shows. */
export interface DashboardWorkflow {
  readonly name: string;
  readonly stateMachineArn: pulumi.Input<string>;
  /** Jobs the workflow runs that emit throughput metrics. */
  readonly throughputJobs: readonly string[];
}

/** Arguments of {@link OperationsDashboard}. */
export interface OperationsDashboardArgs {
  readonly region: string;
  /** Namespace of the jobs' Embedded Metric Format metrics. */
  readonly metricsNamespace: string;
  readonly workflows: readonly DashboardWorkflow[];
}

/** The dashboard's widget grid is 24 units wide; each workflow gets one row of three graphs. */
const WIDTH = 8;
const HEIGHT = 6;
const PERIOD = 300;

/**
 * One CloudWatch dashboard for the whole platform: per workflow, its executions (started, succeeded, failed,
 * timed out), their duration, and the rows per second of the jobs it runs.
 */
export class OperationsDashboard extends pulumi.ComponentResource {
  /** Dashboard name (the console lists it under CloudWatch → Dashboards). */
  readonly dashboardName: pulumi.Output<string>;

  constructor(name: string, args: OperationsDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super('audience-io:observability:OperationsDashboard', name, {}, opts);
    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: `audience-io-${pulumi.getStack()}`,
        dashboardBody: pulumi.jsonStringify({ widgets: dashboardWidgets(args) }),
      },
      { parent: this },
    );
    this.dashboardName = dashboard.dashboardName;
    this.registerOutputs({ dashboardName: this.dashboardName });
  }
}

/** The widgets, one row per workflow. */
export function dashboardWidgets(args: OperationsDashboardArgs): object[] {
  return args.workflows.flatMap((workflow, row) => {
    const y = row * HEIGHT;
    const arn = workflow.stateMachineArn;
    const graph = (x: number, title: string, metrics: unknown[][], unit?: string) => ({
      type: 'metric',
      x,
      y,
      width: WIDTH,
      height: HEIGHT,
      properties: {
        title: `${workflow.name}: ${title}`,
        region: args.region,
        view: 'timeSeries',
        period: PERIOD,
        metrics,
        ...(unit ? { yAxis: { left: { label: unit, showUnits: false } } } : {}),
      },
    });
    const executions = [
      'ExecutionsStarted',
      'ExecutionsSucceeded',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
    ].map((metric) => ['AWS/States', metric, 'StateMachineArn', arn, { stat: 'Sum' }]);
    const durations = [
      ['AWS/States', 'ExecutionTime', 'StateMachineArn', arn, { stat: 'Average', label: 'average' }],
      ['AWS/States', 'ExecutionTime', 'StateMachineArn', arn, { stat: 'p90', label: 'p90' }],
    ];
    const throughput = workflow.throughputJobs.map((job) => [
      args.metricsNamespace,
      ROWS_PER_SECOND,
      JOB_DIMENSION,
      job,
      { stat: 'Average', label: job },
    ]);
    return [
      graph(0, 'executions', executions),
      graph(WIDTH, 'duration', durations, 'ms'),
      ...(throughput.length > 0 ? [graph(2 * WIDTH, 'rows/s', throughput, 'rows/s')] : []),
    ];
  });
}
