/**
 * Embedded LMDB store vs Redis Cluster store, same data, same run: single-key and batch lookups per
 * process (one core of rokv), `rokv load` pairs/s into a local 3-master cluster, and Redis memory
 * per pair for the bucketed-hash layout rokv uses and for one plain string key per pair.
 *
 *   node --import tsx bench/redis-vs-embedded.ts [--pairs 200000] [--seconds 3]
 *
 * Everything runs on loopback; the cluster is started in a temp dir and torn down at the end. The
 * Redis servers share this machine's cores with the benchmark, so Redis numbers are a floor.
 */
import { writeFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Cluster } from 'ioredis';
import { renderPairs } from '../src/gen/format.js';
import { syntheticPairs } from '../src/gen/synthetic.js';
import { buildSnapshot } from '../src/ingest/build.js';
import { LmdbStore } from '../src/store/lmdb.js';
import { RedisStore } from '../src/store/redis.js';
import { connectRedis } from '../src/store/redis-connect.js';
import { loadSnapshot, removeVersion } from '../src/store/redis-load.js';
import type { Store } from '../src/store/store.js';
import { parseUuid } from '../src/uuid.js';
import { startRedisCluster } from '../test/helpers/redis-cluster.js';

const { values } = parseArgs({ options: { pairs: { type: 'string' }, seconds: { type: 'string' } } });
const PAIRS = Number(values.pairs ?? 200_000);
const SECONDS = Number(values.seconds ?? 3);
const BATCH = 100;
const CONCURRENCY = 64;

const cleanups: (() => Promise<void>)[] = [];
const work = await mkdtemp(join(tmpdir(), 'rokv-bench-redis-'));
cleanups.push(() => rm(work, { recursive: true, force: true }));

async function usedMemory(client: Cluster): Promise<number> {
  let total = 0;
  for (const node of client.nodes('master')) {
    const info = await node.info('memory');
    total += Number(/used_memory:(\d+)/.exec(info)![1]);
  }
  return total;
}

/** Lookups per second for `seconds`, keeping `concurrency` calls of `op` in flight. */
async function rate(op: (i: number) => unknown, perCall: number, concurrency: number): Promise<number> {
  const end = performance.now() + SECONDS * 1000;
  let done = 0;
  const lane = async (lane: number): Promise<void> => {
    for (let i = lane; performance.now() < end; i += concurrency) {
      await op(i);
      done += perCall;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, (_, l) => lane(l)));
  return done / ((performance.now() - started) / 1000);
}

async function measure(name: string, store: Store, keys: Uint8Array[], concurrency: number): Promise<[number, number]> {
  const single = await rate((i) => store.get(keys[i % keys.length]!), 1, concurrency);
  const batches = Array.from({ length: 64 }, (_, b) => keys.slice(b * BATCH, (b + 1) * BATCH));
  const batch = await rate((i) => store.getMany(batches[i % batches.length]!), BATCH, Math.max(1, concurrency / 8));
  console.log(`${name}: single ${Math.round(single)} lookups/s, batch of ${BATCH} ${Math.round(batch)} keys/s`);
  return [single, batch];
}

try {
  const input = join(work, 'input.json');
  await writeFile(input, [...renderPairs(syntheticPairs(PAIRS, 42), 'json')].join(''));
  const snapshot = join(work, 'snapshot');
  await buildSnapshot(input, snapshot);
  const keys = [...syntheticPairs(Math.min(PAIRS, 20_000), 42)].map((p) => parseUuid(p.key)!);
  keys.sort(() => 0.5 - Math.random());

  const cluster = await startRedisCluster(5000, (fn) => cleanups.push(fn));
  const client = connectRedis(cluster.url, { commandTimeoutMs: 60_000 }) as Cluster;
  cleanups.push(async () => client.disconnect());

  // Memory: plain string keys first (one SET per pair, binary 16-byte key), measured and removed,
  // then the hash layout. A client without auto-pipelining: it mis-groups binary keys by slot.
  const plain = new Cluster(cluster.nodes.slice(0, 3).map((n) => ({ host: '127.0.0.1', port: n.port })));
  cleanups.push(async () => plain.disconnect());
  const before = await usedMemory(client);
  const sample = [...syntheticPairs(PAIRS, 42)];
  for (let i = 0; i < sample.length; i += 1000) {
    await Promise.all(
      sample
        .slice(i, i + 1000)
        .map((p) => plain.set(Buffer.concat([Buffer.from('rokv:s:'), parseUuid(p.key)!]), JSON.stringify(p.value))),
    );
  }
  const plainBytes = (await usedMemory(client)) - before;
  for (let i = 0; i < sample.length; i += 1000) {
    await Promise.all(
      sample.slice(i, i + 1000).map((p) => plain.unlink(Buffer.concat([Buffer.from('rokv:s:'), parseUuid(p.key)!]))),
    );
  }

  const baseline = await usedMemory(client);
  const loaded = await loadSnapshot(snapshot, cluster.url, { keep: 2, graceMs: 0, window: 1024, sample: 1000 });
  const hashBytes = (await usedMemory(client)) - baseline;
  console.log(
    `rokv load: ${PAIRS} pairs in ${loaded.seconds.toFixed(2)} s = ${Math.round(loaded.pairsPerSecond)} pairs/s (3 masters, 3 replicas, loopback)`,
  );
  console.log(
    `memory per pair: plain string keys ${(plainBytes / PAIRS).toFixed(1)} B, bucketed hashes ${(hashBytes / PAIRS).toFixed(1)} B (ratio ${(plainBytes / hashBytes).toFixed(2)}x)`,
  );

  const lmdb = await LmdbStore.open(snapshot);
  cleanups.push(() => lmdb.close());
  const redis = await RedisStore.open(cluster.url, { pollMs: 1000, commandTimeoutMs: 5000 });
  cleanups.push(() => redis.close());
  const [lSingle, lBatch] = await measure('embedded LMDB ', lmdb, keys, 1);
  const [rSingle, rBatch] = await measure('Redis Cluster ', redis, keys, CONCURRENCY);
  console.log(`ratio Redis/embedded: single ${(rSingle / lSingle).toFixed(3)}, batch ${(rBatch / lBatch).toFixed(3)}`);
  await removeVersion(client, loaded.version, 256);
} finally {
  for (const fn of cleanups.reverse()) await fn().catch(() => {});
}
