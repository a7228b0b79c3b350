import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ManifestInfo } from '../../src/snapshot/manifest.js';
import { LmdbStore } from '../../src/store/lmdb.js';
import { nativeReaderBuilt } from '../../src/store/lmdb-native.js';
import { lookupPacked, pack } from '../../src/store/packed.js';
import type { PackedValues, Store } from '../../src/store/store.js';
import { parseUuid, UUID_BYTES } from '../../src/uuid.js';
import { snapshotOf } from '../helpers/snapshot.js';

const pairs: Record<string, string> = {
  '8a35eb59-62b3-481c-8875-1f248df4c952': 'lunmtp ftxemjfob pmo hwoya',
  '11111111-1111-4111-8111-111111111111': '',
  '22222222-2222-4222-9222-222222222222': 'quote " backslash \\ tab \t newline \n',
  '33333333-3333-4333-a333-333333333333': 'emoji 🦄 and ünïcödé and 中文',
  '44444444-4444-4444-b444-444444444444': 'x'.repeat(100_000),
  '55555555-5555-4555-8555-555555555555': 'y'.repeat(65),
};
const MISSING = '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f';

/** The stored bytes of a value: its JSON string literal. */
const literal = (value: string): string => JSON.stringify(value);

/** The values a packed answer holds, as text, undefined for a missing key. */
function unpack({ bytes, starts, lengths }: PackedValues, count: number): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  for (let i = 0; i < count; i++) {
    out.push(
      lengths[i]! < 0 ? undefined : Buffer.from(bytes.subarray(starts[i], starts[i]! + lengths[i]!)).toString('utf8'),
    );
  }
  return out;
}

/** `keys` packed 16 bytes each, starting `offset` bytes into a larger buffer. */
function packKeys(keys: readonly string[], offset = 0): Uint8Array {
  const whole = new Uint8Array(offset + keys.length * UUID_BYTES);
  keys.forEach((k, i) => whole.set(parseUuid(k)!, offset + i * UUID_BYTES));
  return whole.subarray(offset);
}

/** A store with only the required methods, as an engine without getPacked looks. */
function withoutGetPacked(inner: LmdbStore): Store {
  return {
    get: (key) => inner.get(key),
    getMany: (keys) => inner.getMany(keys),
    info: (): ManifestInfo => inner.info(),
    close: () => inner.close(),
  };
}

// The same snapshot read by rokv's native batch reader (where it is built) and by lmdb-js.
const NATIVE_SKIP = nativeReaderBuilt() ? false : 'the native batch reader is not built (npm run build:native)';
let lmdb: LmdbStore;
let lmdbJs: LmdbStore;
before(async () => {
  const dir = await snapshotOf(pairs);
  lmdb = await LmdbStore.open(dir);
  lmdbJs = await LmdbStore.open(dir, { nativeReader: false });
});
after(async () => {
  await lmdb.close();
  await lmdbJs.close();
});
const readers: [string, () => LmdbStore, false | string][] = [
  ['the native reader', () => lmdb, NATIVE_SKIP],
  ['lmdb-js', () => lmdbJs, false],
];

// Hits of every shape, misses, and repeats, in an order that mixes them.
const asked = [
  MISSING,
  ...Object.keys(pairs),
  '8a35eb59-62b3-481c-8875-1f248df4c952',
  MISSING,
  '44444444-4444-4444-b444-444444444444',
  '33333333-3333-4333-a333-333333333333',
];
const expected = asked.map((k) => (pairs[k] === undefined ? undefined : literal(pairs[k])));

describe('packed lookups', () => {
  const engines: [string, () => Store][] = [
    ['the LMDB store (getPacked)', () => lmdb],
    ['the LMDB store reading with lmdb-js (getPacked)', () => lmdbJs],
    ['a store with only getMany (packed by lookupPacked)', () => withoutGetPacked(lmdb)],
  ];
  // The values of `asked` take this many bytes.
  const valueBytes = expected.reduce((n, v) => n + (v === undefined ? 0 : Buffer.byteLength(v)), 0);
  for (const [name, store] of engines) {
    test(`answer undefined on ${name} when the values take more than the bytes allowed, and the values when they fit`, async () => {
      assert.equal(await lookupPacked(store(), packKeys(asked), asked.length, valueBytes - 1), undefined);
      const found = (await lookupPacked(store(), packKeys(asked), asked.length, valueBytes))!;
      assert.deepEqual(unpack(found, asked.length), expected);
    });

    test(`answer hits, misses and repeated keys in order on ${name}`, async () => {
      const found = (await lookupPacked(store(), packKeys(asked), asked.length))!;
      assert.deepEqual(unpack(found, asked.length), expected);
    });
  }

  for (const [name, reader, skip] of readers) {
    test(`LMDB getPacked with ${name} answers synchronously, and the same as getMany`, { skip }, async () => {
      const found = reader().getPacked(packKeys(asked), asked.length)!;
      assert.ok(!(found instanceof Promise));
      const many = await reader().getMany(asked.map((k) => parseUuid(k)!));
      assert.deepEqual(
        unpack(found, asked.length),
        many.map((v) => (v === undefined ? undefined : Buffer.from(v).toString('utf8'))),
      );
    });

    for (const offset of [1, 2, 3, 5]) {
      test(
        `LMDB getPacked with ${name} reads keys that start ${offset} bytes into their buffer (not on a word boundary)`,
        { skip },
        () => {
          const found = reader().getPacked(packKeys(asked, offset), asked.length)!;
          assert.deepEqual(unpack(found, asked.length), expected);
        },
      );
    }

    test(`LMDB getPacked with ${name} looks up only the first count keys it is given`, { skip }, () => {
      const found = reader().getPacked(packKeys(asked), 3)!;
      assert.deepEqual(unpack(found, 3), expected.slice(0, 3));
      assert.equal(found.lengths.length, 3);
    });

    test(
      `LMDB getPacked with ${name} grows its buffer for many long values and keeps every earlier one intact`,
      { skip },
      () => {
        const keys = Array.from({ length: 40 }, (_, i) =>
          i % 2 ? '44444444-4444-4444-b444-444444444444' : '55555555-5555-4555-8555-555555555555',
        );
        const found = reader().getPacked(packKeys(keys), keys.length)!;
        assert.deepEqual(
          unpack(found, keys.length),
          keys.map((k) => literal(pairs[k]!)),
        );
      },
    );
  }

  test('pack keeps values in order with -1 for the missing ones', () => {
    const packed = pack([Buffer.from('"a"'), undefined, Buffer.from(''), Buffer.from('"bc"')]);
    assert.deepEqual([...packed.lengths], [3, -1, 0, 4]);
    assert.deepEqual(unpack(packed, 4), ['"a"', undefined, '', '"bc"']);
  });
});
