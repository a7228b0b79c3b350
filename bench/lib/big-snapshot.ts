import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeDirAtomically } from '../../src/snapshot/atomic-dir.js';
import { sealSnapshot } from '../../src/snapshot/seal.js';
import { viewsOf, writeDataFile, type StoredPair } from '../../src/snapshot/lmdb-file.js';
import { syntheticValue } from '../../src/gen/synthetic.js';
import { formatUuid, stampV4 } from '../../src/uuid.js';

/** mulberry32: a tiny seeded PRNG, so pair `i` can be regenerated from `i` alone, without storing keys. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * Pair `i` of an `n`-pair synthetic data set whose keys come out in ascending byte order by
 * construction: the first 48 bits of key `i` lie in the i-th of `n` equal slices of the 48-bit
 * space, the rest is random. So a 10M-pair file is written straight, with no sort and no pairs in
 * memory, and any key can be recomputed from its index to draw random lookups.
 */
export function bigPair(i: number, n: number): { key: Buffer; value: string } {
  const rand = mulberry32(Math.imul(i, 0x9e3779b1) ^ 0x5bd1e995);
  const step = Math.floor(2 ** 48 / n);
  const prefix = i * step + (rand() % step);
  const key = Buffer.alloc(16);
  key.writeUIntBE(prefix, 0, 6);
  for (let b = 6; b < 16; b += 2) key.writeUInt16BE(rand() & 0xffff, b);
  stampV4(key);
  return { key, value: syntheticValue(rand) };
}

/** The canonical string of key `i` of an `n`-pair big data set. */
export function bigKey(i: number, n: number): string {
  return formatUuid(bigPair(i, n).key);
}

function* storedPairs(n: number): Generator<StoredPair> {
  for (let i = 0; i < n; i++) {
    const { key, value } = bigPair(i, n);
    yield { key, value: Buffer.from(JSON.stringify(value)) };
  }
}

/** Writes (once; reused when it exists) an `n`-pair snapshot at `out`, the way `rokv build` lays it out. */
export async function ensureBigSnapshot(out: string, n: number): Promise<string> {
  if (existsSync(join(out, 'manifest.json'))) return out;
  await writeDirAtomically(out, async (dir) => {
    const written = await writeDataFile(dir, viewsOf(storedPairs(n)), n * 60);
    await sealSnapshot(dir, written, `bench-synthetic-${n}`);
  });
  return out;
}
