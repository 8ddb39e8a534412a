import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { FINGERPRINT_ENTRY_BYTES, SeenUserIds } from '../../jobs/import-audience/seen-user-ids.ts';
import { propertyRuns } from '../support/property.ts';

const bytes = (id: string) => Buffer.from(id, 'utf8');

describe('seen user ids (duplicate rule)', () => {
  it('answers 0 for a new id and the first line for one seen before, as a Map would', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ maxLength: 6 }), { maxLength: 300 }), async (ids) => {
        // GIVEN a table pre-sized far too small, so it grows on the way
        const seen = await SeenUserIds.create(2);
        const reference = new Map<string, number>();
        ids.forEach((id, i) => {
          const line = i + 2;
          // WHEN each id is recorded on its line THEN the answer is what a Map of first lines says
          expect(seen.firstLineOf(bytes(id), line)).to.equal(reference.get(id) ?? 0);
          if (!reference.has(id)) reference.set(id, line);
        });
        expect(seen.size).to.equal(reference.size);
      }),
      propertyRuns(200),
    );
  });

  it('keeps lines beyond 32 bits', async () => {
    const seen = await SeenUserIds.create();
    expect(seen.firstLineOf(bytes('far'), 2 ** 33)).to.equal(0);
    expect(seen.firstLineOf(bytes('far'), 2 ** 33 + 5)).to.equal(2 ** 33);
  });

  it('reserves room from an estimate and stays within 20 bytes a slot, 70 % full at most', async () => {
    const seen = await SeenUserIds.create();
    seen.reserve(100_000);
    const before = seen.bytes;
    for (let i = 0; i < 100_000; i++) seen.firstLineOf(bytes(`user-${i}`), i + 2);
    expect(seen.bytes, 'no growth after a right estimate').to.equal(before);
    expect(seen.bytes / seen.size).to.be.at.most(20 / 0.7 + 0.01);
  });

  it('writes its fingerprints sorted, with their first lines, for merging shards', async () => {
    const seen = await SeenUserIds.create();
    const ids = Array.from({ length: 5000 }, (_, i) => `id-${i}`);
    for (const [i, id] of ids.entries()) seen.firstLineOf(bytes(id), i + 2);
    const dir = mkdtempSync(join(tmpdir(), 'fingerprints-'));
    try {
      const path = join(dir, 'shard.bin');
      expect(await seen.writeSortedFingerprints(path)).to.equal(5000);
      const file = readFileSync(path);
      expect(file.length).to.equal(5000 * FINGERPRINT_ENTRY_BYTES);
      const lines = new Set<number>();
      for (let at = FINGERPRINT_ENTRY_BYTES; at < file.length; at += FINGERPRINT_ENTRY_BYTES) {
        const previous = file.subarray(at - FINGERPRINT_ENTRY_BYTES, at - 4);
        expect(Buffer.compare(previous, file.subarray(at, at + 16))).to.equal(-1);
      }
      for (let at = 0; at < file.length; at += FINGERPRINT_ENTRY_BYTES) lines.add(file.readUInt32BE(at + 16));
      expect(lines).to.deep.equal(new Set(ids.map((_, i) => i + 2)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
