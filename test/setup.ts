import * as chai from 'chai';
import { jestSnapshotPlugin } from 'mocha-chai-jest-snapshot';
import { RawText } from './support/raw-text.ts';

// Snapshots are files under __snapshots__ beside each test; with CI=true a missing one fails the test.
chai.use(jestSnapshotPlugin());
chai.expect.addSnapshotSerializer({
  test: (value: unknown) => value instanceof RawText,
  serialize: (value: RawText) => value.text,
});
