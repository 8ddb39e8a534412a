import { expect } from 'chai';
import { needsLocalServices } from '../../local/runner/needs-services.ts';
import {
  exportAudienceWorkflow,
  importAudienceWorkflow,
  importStarterWorkflow,
} from '../../workflows/index.ts';
import {
  failureNotificationWorkflow,
  reportPollingWorkflow,
  shardFanoutWorkflow,
} from '../dsl/examples/index.ts';

describe('local runner: which runs start the embedded services', () => {
  it('starts them for a job that touches a platform resource, a service step, or a workflow started that needs them', () => {
    expect(needsLocalServices(importAudienceWorkflow)).to.equal(true);
    expect(needsLocalServices(exportAudienceWorkflow)).to.equal(true);
    expect(needsLocalServices(failureNotificationWorkflow)).to.equal(true);
    // The starter has no job of its own: the import it starts needs Kafka and S3.
    expect(needsLocalServices(importStarterWorkflow)).to.equal(true);
  });

  it('runs a workflow of Pass, Choice, Wait states and jobs that need nothing without them', () => {
    expect(needsLocalServices(reportPollingWorkflow)).to.equal(false);
    expect(needsLocalServices(shardFanoutWorkflow)).to.equal(false);
  });
});
