import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseServeConfig } from '../../src/config.js';
import { RokvError } from '../../src/errors.js';
import { parseClusterUrl } from '../../src/store/redis-connect.js';
import {
  bucketBitsFor,
  bucketOf,
  decodeMeta,
  encodeMeta,
  fieldOf,
  TARGET_PAIRS_PER_BUCKET,
  type VersionMeta,
} from '../../src/store/redis-layout.js';
import { parseUuid } from '../../src/uuid.js';

describe('redis layout', () => {
  const sizes: [number, number][] = [
    [0, 0],
    [64, 0],
    [65, 1],
    [10_000, 8],
    [1_000_000, 14],
    [10_000_000_000, 28],
  ];
  for (const [count, bits] of sizes) {
    test(`uses ${bits} bucket bits for ${count} pairs`, () => {
      assert.equal(bucketBitsFor(count), bits);
      if (count > 0) assert.ok(count / 2 ** bits <= TARGET_PAIRS_PER_BUCKET);
    });
  }

  test('takes the bucket from the top bits of the key', () => {
    const key = parseUuid('f0123456-789a-4bcd-8ef0-123456789abc')!;
    assert.deepEqual(
      [0, 1, 4, 8, 16, 32].map((b) => bucketOf(key, b)),
      [0, 1, 0xf, 0xf0, 0xf012, 0xf0123456],
    );
  });

  test('drops from the field only the whole bytes the bucket fixes, and copies', () => {
    const key = parseUuid('f0123456-789a-4bcd-8ef0-123456789abc')!;
    assert.equal(fieldOf(key, 7).length, 16);
    assert.equal(fieldOf(key, 8).length, 15);
    assert.equal(fieldOf(key, 17).length, 14);
    const field = fieldOf(key, 0);
    key[0] = 0;
    assert.equal(field[0], 0xf0);
  });

  test('reads back the meta it wrote, and refuses a malformed one', () => {
    const meta: VersionMeta = {
      version: 'abcdef0123456789',
      bits: 9,
      count: 30_000,
      checksum: 'sha256:00',
      createdAt: 'now',
      source: 's.json',
      formatVersion: 1,
      complete: true,
    };
    assert.deepEqual(decodeMeta(encodeMeta(meta)), meta);
    assert.equal(decodeMeta({ ...encodeMeta(meta), bits: '40' }), undefined);
    assert.equal(decodeMeta({}), undefined);
  });
});

describe('store URLs', () => {
  test('parses a cluster URL with credentials into seed nodes', () => {
    assert.deepEqual(parseClusterUrl('redis-cluster://u:p%40ss@10.0.0.1:7000,[::1]:7001'), {
      seeds: [
        { host: '10.0.0.1', port: 7000 },
        { host: '::1', port: 7001 },
      ],
      username: 'u',
      password: 'p@ss',
    });
  });

  for (const url of ['redis://127.0.0.1:6379', 'rediss://cache:6380', 'redis-cluster://a:1,b:2']) {
    test(`accepts --store ${url}`, () => assert.equal(parseServeConfig({ store: url }).store, url));
  }
  for (const url of ['http://a:1', 'redis-cluster://', 'a:6379', 'redis://a b']) {
    test(`rejects --store ${url} naming the field`, () => {
      assert.throws(
        () => parseServeConfig({ store: url }),
        (e: unknown) => e instanceof RokvError && /store/.test(e.message),
      );
    });
  }
});
