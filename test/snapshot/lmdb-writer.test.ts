import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PairChecksum } from '../../src/snapshot/checksum.js';
import { openDataFile, viewsOf, writeDataFile, type StoredPair } from '../../src/snapshot/lmdb-file.js';
import { nativeAddon } from '../../src/snapshot/native-addon.js';
import { stampV4, UUID_BYTES } from '../../src/uuid.js';
import { tempDir } from '../helpers/tmp.js';

const skip = nativeAddon === undefined ? 'the native addon is not built (npm run build:native)' : false;
if (skip) console.log(`# skipping the native LMDB writer's tests: ${skip}`);

/** `n` pairs in ascending key order, values of every length up to 3 batches' worth of bytes for some. */
function sortedPairs(n: number): StoredPair[] {
  const pairs: StoredPair[] = [];
  for (let i = 0; i < n; i++) {
    const size = i % 997 === 0 ? 5 << 20 : i % 300;
    pairs.push({ key: stampV4(randomBytes(UUID_BYTES)), value: Buffer.alloc(size, 0x61 + (i % 26)) });
  }
  return pairs.sort((a, b) => Buffer.compare(a.key, b.key));
}

/** Every pair of the data file in `dir`, in key order. */
async function readBack(dir: string): Promise<{ key: Buffer; value: Buffer }[]> {
  const db = openDataFile(dir);
  try {
    return [...db.getRange({})].map(({ key, value }) => ({ key: Buffer.from(key), value: Buffer.from(value) }));
  } finally {
    await db.close();
  }
}

describe('the LMDB writer', { skip }, () => {
  test('the native writer and lmdb-js store the same pairs with the same checksum', async () => {
    const pairs = sortedPairs(3000);
    const sum = new PairChecksum();
    for (const p of pairs) sum.add(p.key, p.value);
    const checksum = sum.digest();
    const root = await tempDir();
    for (const kind of ['native', 'lmdb-js'] as const) {
      const dir = join(root, kind);
      await mkdir(dir);
      const written = await writeDataFile(dir, viewsOf(pairs), 64 << 20, kind);
      assert.equal(written.count, pairs.length, kind);
      assert.equal(written.checksum, checksum, kind);
      const back = await readBack(dir);
      assert.equal(back.length, pairs.length, kind);
      back.forEach((p, i) => {
        assert.ok(p.key.equals(pairs[i]!.key), `${kind}: key ${i}`);
        assert.ok(p.value.equals(pairs[i]!.value), `${kind}: value ${i}`);
      });
    }
  });

  test('the native writer refuses keys that are not in ascending order', async () => {
    const pairs = sortedPairs(50);
    [pairs[10], pairs[11]] = [pairs[11]!, pairs[10]!];
    await assert.rejects(
      writeDataFile(await tempDir(), viewsOf(pairs), 64 << 20, 'native'),
      /keys must come in strictly ascending order/,
    );
  });

  test('the native writer refuses a key written twice', async () => {
    const pairs = sortedPairs(20);
    pairs.splice(5, 0, pairs[5]!);
    await assert.rejects(
      writeDataFile(await tempDir(), viewsOf(pairs), 64 << 20, 'native'),
      /keys must come in strictly ascending order/,
    );
  });
});
