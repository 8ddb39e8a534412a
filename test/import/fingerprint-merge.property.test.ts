import { expect } from 'chai';
import fc from 'fast-check';
import {
  FingerprintFileError,
  findRepeatedFingerprints,
  type RepeatedFingerprint,
} from '../../jobs/close-sharded-import/fingerprint-merge.ts';
import { FINGERPRINT_ENTRY_BYTES } from '../../jobs/import-audience/seen-user-ids.ts';

/** A fingerprint file of these entries, as `writeSortedFingerprints` writes it (sorted by fingerprint). */
function fingerprintFile(entries: readonly { fingerprint: Buffer; line: number }[]): Buffer {
  const sorted = [...entries].sort((a, b) => Buffer.compare(a.fingerprint, b.fingerprint));
  return Buffer.concat(
    sorted.map(({ fingerprint, line }) => {
      const entry = Buffer.alloc(FINGERPRINT_ENTRY_BYTES);
      fingerprint.copy(entry);
      entry.writeUInt32BE(line, 16);
      return entry;
    }),
  );
}

/** The file's bytes in chunks of the given sizes (cycled), as a download delivers them. */
async function* chunked(bytes: Buffer, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

/** The fingerprints every source holds once, drawn from a small pool so sources share some. */
const sourcesArbitrary = fc
  .tuple(
    fc.uniqueArray(fc.uint8Array({ minLength: 16, maxLength: 16 }), {
      minLength: 1,
      maxLength: 40,
      selector: (a) => Buffer.from(a).toString('hex'),
    }),
    fc.array(fc.array(fc.nat(), { maxLength: 30 }), { minLength: 1, maxLength: 8 }),
  )
  .map(([pool, picks]) =>
    picks.map((indexes) =>
      [...new Set(indexes.map((i) => i % pool.length))].map((i) => Buffer.from(pool[i]!)),
    ),
  );

describe('fingerprint merge: ids in more than one shard, found exactly', () => {
  it('reports what a naive count of every fingerprint over every source reports, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        sourcesArbitrary,
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 5 }),
        async (sources, chunkSizes) => {
          const files = sources.map((fingerprints) =>
            fingerprintFile(fingerprints.map((fingerprint, i) => ({ fingerprint, line: i + 2 }))),
          );
          const reported: RepeatedFingerprint[] = [];
          const repeats = await findRepeatedFingerprints(
            files.map((file) => chunked(file, chunkSizes)),
            (r) => reported.push(r),
          );
          const seenIn = new Map<string, { source: number; line: number }[]>();
          for (const [source, fingerprints] of sources.entries()) {
            for (const [i, fingerprint] of fingerprints.entries()) {
              const key = fingerprint.toString('hex');
              seenIn.set(key, [...(seenIn.get(key) ?? []), { source, line: i + 2 }]);
            }
          }
          const expected = [...seenIn].filter(([, occurrences]) => occurrences.length > 1);
          expect(repeats).to.equal(expected.reduce((n, [, occurrences]) => n + occurrences.length - 1, 0));
          expect(
            reported.map((r) => [r.fingerprint, r.occurrences]),
            'every repeated fingerprint once, in order, with every place it is',
          ).to.deep.equal(expected.sort(([a], [b]) => (a < b ? -1 : 1)));
        },
      ),
    );
  });

  it('tells fingerprints apart that differ only in their last bit', async () => {
    const a = Buffer.alloc(16, 0xab);
    const b = Buffer.from(a);
    b[15] = 0xaa;
    const repeats = await findRepeatedFingerprints([
      chunked(fingerprintFile([{ fingerprint: a, line: 2 }]), [7]),
      chunked(fingerprintFile([{ fingerprint: b, line: 2 }]), [7]),
    ]);
    expect(repeats).to.equal(0);
  });

  it('refuses a file that is not sorted, or holds a part of an entry', async () => {
    const one = fingerprintFile([{ fingerprint: Buffer.alloc(16, 1), line: 2 }]);
    const two = fingerprintFile([{ fingerprint: Buffer.alloc(16, 2), line: 3 }]);
    const unsorted = findRepeatedFingerprints([chunked(Buffer.concat([two, one]), [20])]);
    await unsorted.then(
      () => expect.fail('accepted an unsorted file'),
      (error: unknown) => {
        expect(error).to.be.instanceOf(FingerprintFileError);
        expect((error as Error).message).to.contain('not strictly sorted at entry 2');
      },
    );
    const truncated = findRepeatedFingerprints([chunked(Buffer.concat([one, two.subarray(0, 9)]), [13])]);
    await truncated.then(
      () => expect.fail('accepted a truncated file'),
      (error: unknown) => expect((error as Error).message).to.contain('ends with 9 bytes'),
    );
  });
});
