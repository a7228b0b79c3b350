import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DATA_FILE } from '../../src/snapshot/lmdb-file.js';
import { LmdbStore } from '../../src/store/lmdb.js';
import { NativeReader, nativeReaderBuilt } from '../../src/store/lmdb-native.js';
import type { PackedValues } from '../../src/store/store.js';
import { formatUuid, stampV4, UUID_BYTES } from '../../src/uuid.js';
import { snapshotOf } from '../helpers/snapshot.js';

const skip = nativeReaderBuilt() ? false : 'the native batch reader is not built (npm run build:native)';
if (skip) console.log(`# skipping the native batch reader's tests: ${skip}`);

/** A random UUIDv4 as text. */
const randomKey = (): string => formatUuid(stampV4(randomBytes(UUID_BYTES)));

/** Values of every length up to 300 characters, some multibyte, some with characters JSON escapes. */
const pairs: Record<string, string> = {};
for (let i = 0; i < 3000; i++) {
  const unit = ['a', 'é', '🦄', '"', '\n', ' '][i % 6]!;
  pairs[randomKey()] = unit.repeat(i % 300);
}
const stored = Object.keys(pairs);

/** The values of a packed answer as text, undefined where missing. */
function unpack({ bytes, starts, lengths }: PackedValues): (string | undefined)[] {
  return [...lengths].map((length, i) =>
    length < 0 ? undefined : Buffer.from(bytes.subarray(starts[i], starts[i]! + length)).toString('utf8'),
  );
}

/** `keys` packed 16 bytes each. */
function packKeys(keys: readonly string[]): Uint8Array {
  const packed = new Uint8Array(keys.length * UUID_BYTES);
  keys.forEach((key, i) => packed.set(Buffer.from(key.replaceAll('-', ''), 'hex'), i * UUID_BYTES));
  return packed;
}

// Built here, not in a hook: tempDir removes it when the hook's own scope ends.
const dir = await snapshotOf(pairs);

describe('the native batch reader', { skip }, () => {
  let native: LmdbStore;
  let lmdbJs: LmdbStore;
  before(async () => {
    native = await LmdbStore.open(dir);
    lmdbJs = await LmdbStore.open(dir, { nativeReader: false });
  });
  after(async () => {
    await native.close();
    await lmdbJs.close();
  });

  test('reads batches by default, and not when told not to', () => {
    assert.equal(native.readsNatively, true);
    assert.equal(lmdbJs.readsNatively, false);
  });

  for (const size of [1, 7, 100, 1000]) {
    test(`reads every key of a snapshot as lmdb-js does, in batches of ${size} with misses among them`, () => {
      const asked = stored.flatMap((key, i) => (i % 10 === 0 ? [key, randomKey()] : [key]));
      for (let from = 0; from < asked.length; from += size) {
        const batch = asked.slice(from, from + size);
        const keys = packKeys(batch);
        const got = unpack(native.getPacked(keys, batch.length)!);
        assert.deepEqual(got, unpack(lmdbJs.getPacked(keys, batch.length)!));
        assert.deepEqual(
          got,
          batch.map((key) => (pairs[key] === undefined ? undefined : JSON.stringify(pairs[key]))),
        );
      }
    });
  }

  test('reads an empty batch', () => {
    const found = native.getPacked(new Uint8Array(0), 0)!;
    assert.equal(found.lengths.length, 0);
  });

  test('refuses a batch with fewer key bytes than keys asked, instead of reading past them', () => {
    const reader = NativeReader.open(join(dir, DATA_FILE))!;
    try {
      assert.throws(() => reader.getPacked(new Uint8Array(UUID_BYTES), 2), /bad array argument/);
    } finally {
      reader.close();
    }
  });

  test('refuses a batch once closed, instead of reading freed memory', () => {
    const reader = NativeReader.open(join(dir, DATA_FILE))!;
    reader.close();
    assert.throws(() => reader.getPacked(packKeys(stored.slice(0, 1)), 1), /closed/);
    reader.close();
  });

  test('refuses to open a file that is not an LMDB file', () => {
    assert.throws(() => NativeReader.open(join(dir, 'manifest.json')));
  });
});
