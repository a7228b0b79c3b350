import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { parseServeConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { LmdbStore } from '../../src/store/lmdb.js';
import { RedisStore } from '../../src/store/redis.js';
import { loadSnapshot } from '../../src/store/redis-load.js';
import type { Store } from '../../src/store/store.js';
import { parseUuid } from '../../src/uuid.js';
import { redisAvailable, startRedisCluster } from '../helpers/redis-cluster.js';
import { snapshotOf } from '../helpers/snapshot.js';

const MISSING = '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f';
const pairs: Record<string, string> = {
  '8a35eb59-62b3-481c-8875-1f248df4c952': 'lunmtp ftxemjfob pmo hwoya',
  '11111111-1111-4111-8111-111111111111': '',
  '22222222-2222-4222-9222-222222222222': 'quote " backslash \\ tab \t newline \n nul \u0000 bell \u0007',
  '33333333-3333-4333-a333-333333333333': 'emoji 🦄 and ünïcödé and 中文',
  '44444444-4444-4444-b444-444444444444': 'x'.repeat(100_000),
  '55555555-5555-4555-8555-555555555555': '{"value":"not json inside"}',
  'ffffffff-ffff-4fff-bfff-ffffffffffff': 'the largest key',
  '00000000-0000-4000-8000-000000000001': 'the smallest key',
};
// Enough pairs that the Redis layout spreads them over many buckets, hash slots and all three masters.
for (let i = 0; i < 3000; i++) {
  const hex = ((i * 2654435761) >>> 0).toString(16).padStart(8, '0');
  pairs[`${hex}-${hex.slice(0, 4)}-4${hex.slice(1, 4)}-9${hex.slice(5, 8)}-${hex}${hex.slice(0, 4)}`] =
    `value number ${i}`;
}

// In CI a missing redis-server is a failure, not a reason to skip (.ci/run installs it).
const noRedis = !redisAvailable() && !process.env.CI ? 'redis-server is not installed' : false;

interface Engine {
  name: string;
  skip: string | false;
  open(): Promise<Store>;
}

// Set up at the top level: the helpers register their clean-up with after(), which belongs to the file.
const snapshot = await snapshotOf(pairs);
const cluster = noRedis ? undefined : await startRedisCluster();

const engines: Engine[] = [
  { name: 'the embedded LMDB store', skip: false, open: () => LmdbStore.open(snapshot) },
  {
    name: 'the Redis Cluster store',
    skip: noRedis,
    async open() {
      await loadSnapshot(snapshot, cluster!.url, { keep: 2, graceMs: 0, window: 64, sample: 100 });
      // The contract is about answers, not speed: a lookup may take seconds on a machine loaded by
      // other work (STORE_UNAVAILABLE at 2 s was seen at load 25), and the timeout path has its own tests.
      return RedisStore.open(cluster!.url, { pollMs: 200, commandTimeoutMs: 15_000 });
    },
  },
];

function text(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : (JSON.parse(Buffer.from(bytes).toString('utf8')) as string);
}

function key(uuid: string): Uint8Array {
  return parseUuid(uuid)!;
}

for (const engine of engines) {
  describe(`Store contract on ${engine.name}`, { skip: engine.skip }, () => {
    let store: Store;
    let app: FastifyInstance;

    before(async () => {
      store = await engine.open();
      app = buildApp(store, parseServeConfig({ workers: 1 }));
      await app.ready();
    });
    after(async () => {
      await app?.close();
      await store?.close();
    });

    test('returns every value as the bytes of its JSON string literal', async () => {
      for (const [uuid, value] of Object.entries(pairs)) {
        assert.equal(text(await store.get(key(uuid))), value, uuid);
      }
    });

    test('returns undefined for a key that is not in the data set', async () => {
      assert.equal(await store.get(key(MISSING)), undefined);
    });

    test('answers getMany in the order asked, with undefined for missing keys', async () => {
      const asked = [...Object.keys(pairs).slice(0, 50), MISSING, ...Object.keys(pairs).slice(-50)];
      const got = await store.getMany(asked.map(key));
      assert.deepEqual(
        got.map(text),
        asked.map((k) => pairs[k]),
      );
    });

    test('describes the data set it serves', () => {
      const info = store.info();
      assert.equal(info.count, Object.keys(pairs).length);
      assert.match(info.id, /^[0-9a-f]{16}$/);
      assert.equal(info.source, 'input.json');
    });

    test('serves POST /get_value with exactly {"value"} for every key', async () => {
      for (const [uuid, value] of Object.entries(pairs).slice(0, 200)) {
        const res = await app.inject({ method: 'POST', url: '/get_value', payload: { key: uuid.toUpperCase() } });
        assert.equal(res.statusCode, 200, uuid);
        assert.equal(res.body, JSON.stringify({ value }));
      }
    });

    test('answers POST /get_value for a missing key with 404 KEY_NOT_FOUND', async () => {
      const res = await app.inject({ method: 'POST', url: '/get_value', payload: { key: MISSING } });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json<{ code: string }>().code, 'KEY_NOT_FOUND');
    });

    test('answers many concurrent lookups each with its own value', async () => {
      const keys = Object.keys(pairs).slice(0, 500);
      const answers = await Promise.all(
        keys.map((k) => app.inject({ method: 'POST', url: '/get_value', payload: { key: k } })),
      );
      answers.forEach((res, i) => assert.equal(res.body, JSON.stringify({ value: pairs[keys[i]!] })));
    });
  });
}
