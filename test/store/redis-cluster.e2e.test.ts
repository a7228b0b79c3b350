import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectRedis } from '../../src/store/redis-connect.js';
import { bucketKey, bucketOf, bucketBitsFor } from '../../src/store/redis-layout.js';
import { parseUuid } from '../../src/uuid.js';
import { post, runRokv, startRokv, type ServerProcess } from '../helpers/binary.js';
import { redisAvailable, startRedisCluster } from '../helpers/redis-cluster.js';
import { snapshotOf } from '../helpers/snapshot.js';

const noRedis = !redisAvailable() && !process.env.CI ? 'redis-server is not installed' : false;

/** `count` pairs with distinct keys spread over the key space; values carry `tag` so versions differ. */
function pairsOf(count: number, tag: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const hex = ((i * 2654435761) >>> 0).toString(16).padStart(8, '0');
    pairs[`${hex}-${hex.slice(0, 4)}-4${hex.slice(1, 4)}-a${hex.slice(5, 8)}-${hex}${hex.slice(0, 4)}`] = `${tag} ${i}`;
  }
  return pairs;
}

const COUNT = 2000;
const STORE_TIMEOUT_MS = 3000;

const first = pairsOf(COUNT, 'first');
const second = pairsOf(COUNT, 'second');
const keys = Object.keys(first);

// Started at the top level: helpers register their clean-up with after(), which here belongs to the
// file, so the cluster and the server live through every test below and die when the file ends.
let cluster: Awaited<ReturnType<typeof startRedisCluster>>;
let firstLoad: Awaited<ReturnType<typeof runRokv>>;
let server: ServerProcess;
if (!noRedis) {
  cluster = await startRedisCluster();
  firstLoad = await runRokv(['load', await snapshotOf(first), '--store', cluster.url, '--grace-ms', '0']);
  // The store timeout is 3 s rather than 1 s: on a loaded CI machine a healthy master can take more than
  // a second to answer, and a live master's key answering 503 would read as a dead master's.
  server = await startRokv(['--store', cluster.url, '--workers', '1', '--store-timeout-ms', String(STORE_TIMEOUT_MS)]);
}

describe('rokv on a Redis Cluster (3 masters, 3 replicas)', { skip: noRedis }, () => {
  let firstVersion: string;
  const secondSnapshot = noRedis ? Promise.resolve('') : snapshotOf(second);

  test('rokv load writes a snapshot, verifies it and activates it', () => {
    const res = firstLoad;
    assert.equal(res.code, 0, res.stderr);
    const m = /^ok: version ([0-9a-f]{16}) \(2000 pairs\) is active in [\d.]+ s \(\d+ pairs\/s\)$/m.exec(res.stdout);
    assert.ok(m, res.stdout);
    firstVersion = m[1]!;
    assert.equal(cluster.cli(cluster.nodes[0]!.port, '-c', 'get', 'rokv:current'), firstVersion);
  });

  test('rokv serve --store answers every key from the cluster', async () => {
    for (const key of keys.slice(0, 300)) {
      const res = await post(`${server.url}/get_value`, { key });
      assert.deepEqual(res, { status: 200, body: { value: first[key] } }, key);
    }
    const missing = await post(`${server.url}/get_value`, { key: '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f' });
    assert.equal(missing.status, 404);
  });

  test('a second load flips running servers to the new version with no failed request', async () => {
    const statuses = new Map<number, number>();
    let seenSecond = false;
    let stop = false;
    const deadline = Date.now() + 30_000;
    const traffic = (async () => {
      for (let i = 0; !stop && Date.now() < deadline && i < 20_000; i++) {
        const key = keys[i % keys.length]!;
        const res = await post(`${server.url}/get_value`, { key });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const value = (res.body as { value?: string }).value;
        if (value === second[key]) seenSecond = true;
        else if (seenSecond) assert.equal(value, second[key], 'a server went back to the old version');
      }
    })();
    const res = await runRokv([
      'load',
      await secondSnapshot,
      '--store',
      cluster.url,
      '--keep',
      '1',
      '--grace-ms',
      '2500',
    ]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`removed ${firstVersion}`));
    for (const until = Date.now() + 30_000; !seenSecond && Date.now() < until;) await sleep(100);
    stop = true;
    await traffic;
    assert.ok(seenSecond, 'the server never switched to the new version');
    assert.deepEqual([...statuses.keys()], [200], `statuses seen: ${JSON.stringify([...statuses])}`);
  });

  test("--keep removes the old version's keys", async () => {
    const client = connectRedis(cluster.url, { commandTimeoutMs: 5000 });
    try {
      const bits = bucketBitsFor(COUNT);
      const buckets = new Set(keys.map((k) => bucketKey(firstVersion, bucketOf(parseUuid(k)!, bits))));
      assert.ok(buckets.size > 8);
      for (const key of buckets) assert.equal(await client.exists(key), 0, key);
      assert.equal(await client.exists(`rokv:v:${firstVersion}:meta`), 0);
      assert.deepEqual(await client.zrange('rokv:versions', 0, -1), [await client.get('rokv:current')]);
    } finally {
      client.disconnect();
    }
  });

  test('a dead master fails only its lookups, fast, with 503, and rokv recovers after the failover', async () => {
    const bits = bucketBitsFor(COUNT);
    const client = connectRedis(cluster.url, { commandTimeoutMs: 5000 });
    const current = (await client.get('rokv:current'))!;
    const owners = cluster.slotOwners();
    const masterOf = new Map<string, number>();
    for (const key of keys.slice(0, 100)) {
      const slot = await client.cluster('KEYSLOT', bucketKey(current, bucketOf(parseUuid(key)!, bits)));
      masterOf.set(key, owners[slot]!);
    }
    client.disconnect();
    const victim = masterOf.get(keys[0]!)!;
    const onVictim = [...masterOf]
      .filter(([, port]) => port === victim)
      .map(([k]) => k)
      .slice(0, 5);
    const elsewhere = [...masterOf]
      .filter(([, port]) => port !== victim)
      .map(([k]) => k)
      .slice(0, 5);
    assert.ok(onVictim.length > 0 && elsewhere.length > 0);

    await cluster.kill(victim);
    const started = Date.now();
    const hit = await Promise.all(onVictim.map((key) => post(`${server.url}/get_value`, { key })));
    const answeredIn = Date.now() - started;
    // Before the replica takes over, the affected lookups answer 503 (after the store timeout), never hang.
    assert.ok(answeredIn < STORE_TIMEOUT_MS + 10_000, `lookups on the dead master took ${answeredIn} ms`);
    for (const res of hit) {
      if (res.status === 503) {
        assert.equal((res.body as { code: string }).code, 'STORE_UNAVAILABLE');
        assert.doesNotMatch((res.body as { message: string }).message, /127\.0\.0\.1|ECONN|ioredis/);
      } else {
        assert.equal(res.status, 200, JSON.stringify(res.body));
      }
    }
    for (const key of elsewhere) {
      const res = await post(`${server.url}/get_value`, { key });
      assert.deepEqual(res, { status: 200, body: { value: second[key] } }, `a key on a live master: ${key}`);
    }

    // The replica is promoted (cluster-node-timeout 1 s); rokv must find it by itself.
    await cluster.waitHealthy(30_000);
    let recovered = false;
    for (const until = Date.now() + 60_000; !recovered && Date.now() < until;) {
      const answers = await Promise.all(onVictim.map((key) => post(`${server.url}/get_value`, { key })));
      recovered = answers.every(
        (res, i) => res.status === 200 && (res.body as { value: string }).value === second[onVictim[i]!],
      );
      if (!recovered) await sleep(200);
    }
    assert.ok(recovered, 'rokv did not recover after the replica was promoted');
  });

  test('a master killed mid-load never lets a partial version be served, and a retried load activates', async () => {
    const third = pairsOf(COUNT * 10, 'third');
    const snapshot = await snapshotOf(third);
    const victim = cluster.mastersWithReplica()[0];
    assert.ok(victim, 'no master with a replica is left to kill');
    const loading = runRokv(['load', snapshot, '--store', cluster.url, '--grace-ms', '0', '--window', '16']);
    await sleep(300);
    await cluster.kill(victim);
    const first = await loading;
    // Either the load failed with one clear line, or (the failover came in time) it verified and activated.
    if (first.code !== 0) assert.match(first.stderr, /^rokv: .+\n$/m);
    for (const key of keys.slice(0, 50)) {
      const res = await post(`${server.url}/get_value`, { key });
      if (res.status === 503) continue;
      const value = (res.body as { value: string }).value;
      assert.ok(value === second[key] || value === third[key], `a value from no complete version: ${value}`);
    }
    await cluster.waitHealthy(30_000);
    const retry = await runRokv(['load', snapshot, '--store', cluster.url, '--grace-ms', '0']);
    assert.equal(retry.code, 0, retry.stderr);
    let switched = false;
    for (const until = Date.now() + 60_000; !switched && Date.now() < until;) {
      const res = await post(`${server.url}/get_value`, { key: keys[7]! });
      switched = (res.body as { value?: string }).value === third[keys[7]!];
      if (!switched) await sleep(100);
    }
    assert.ok(switched, 'the server did not switch to the retried load');
  });

  test('the server still stops gracefully', async () => {
    assert.equal(await server.stop('SIGTERM'), 0);
  });
});
