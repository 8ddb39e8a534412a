import { expect } from 'chai';
import { MAX_LOAD } from '../../jobs/import-audience/seen-user-ids.ts';
import { closeJobDeps, type JobDeps } from '../../jobs/runtime/clients.ts';
import { createBucket, localJobDeps, openImportReading, putObject, uniqueId } from './support.ts';

/** A slot of the duplicate table: a 128-bit fingerprint and a 32-bit line. */
const SLOT_BYTES = 20;

/**
 * The duplicate table is pre-sized once from the first rows' bytes per row and the object's size, so it need not
 * grow on the way: growing holds the old and the new slots at once, the import's peak memory. Read as the job
 * reads (blocks, in worker threads and not), its bytes per row end where the estimate puts them.
 */
describe('import reading: the duplicate table is pre-sized right', function () {
  this.timeout(120_000);
  let deps: JobDeps;
  let bucket: string;
  before(async () => {
    deps = await localJobDeps();
    bucket = await createBucket(deps.s3);
  });
  after(() => closeJobDeps(deps));

  for (const workers of [0, 1]) {
    it(`holds ${SLOT_BYTES} / ${MAX_LOAD} bytes a row and a little more, not half again (${workers} worker(s))`, async () => {
      const rows = 200_000;
      const key = `imports/${uniqueId('presize')}.csv`;
      // Rows of one length, so the first rows' bytes per row are the whole file's.
      const lines = Array.from({ length: rows }, (_, i) => `user-${String(i).padStart(7, '0')},pro,jp\n`);
      await putObject(deps.s3, bucket, key, `user_id,plan,country\n${lines.join('')}`);
      // Blocks of 256 KiB: the estimate is made while the first blocks are read, as in a large object.
      const reading = await openImportReading(deps, { bucket, key }, 256 * 1024, workers);
      try {
        for await (const _ of reading.batches());
      } finally {
        await reading.close();
      }
      expect(reading.userIds.size).to.equal(rows);
      const bytesPerRow = reading.userIds.bytes / rows;
      // Room for the estimate and its 5 % margin, never half again (a table that grew on the way).
      expect(bytesPerRow).to.be.within(SLOT_BYTES / MAX_LOAD, (SLOT_BYTES / MAX_LOAD) * 1.06);
    });
  }
});
