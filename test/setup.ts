import * as chai from 'chai';
import type { Suite } from 'mocha';
import { jestSnapshotPlugin } from 'mocha-chai-jest-snapshot';
import { RawText } from './support/raw-text.ts';
import { useLocalServices } from './support/services.ts';

// Snapshots are files under __snapshots__ beside each test; with CI=true a missing one fails the test.
chai.use(jestSnapshotPlugin());
chai.expect.addSnapshotSerializer({
  test: (value: unknown) => value instanceof RawText,
  serialize: (value: RawText) => value.text,
});

/** Test folders whose suites talk to the local Kafka broker and the AWS emulator. */
const NEEDS_SERVICES = /[\\/]test[\\/](jobs|local)[\\/]|[\\/]test[\\/]local-services\.test\.ts$/;

function suiteFiles(suite: Suite): string[] {
  return [suite.file ?? '', ...suite.suites.flatMap(suiteFiles)];
}

// A fresh clone downloads Kafka and moto on the first start (a minute or more): do it once, before any test
// file's own timeouts run, and only when the run includes suites that need the services.
before(async function () {
  const root = this.test?.parent;
  if (!root || !suiteFiles(root).some((file) => NEEDS_SERVICES.test(file))) return;
  this.timeout(15 * 60_000);
  await useLocalServices();
});
