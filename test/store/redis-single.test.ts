import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpError } from '../../src/errors.js';
import { RedisStore } from '../../src/store/redis.js';
import { loadSnapshot } from '../../src/store/redis-load.js';
import { parseUuid } from '../../src/uuid.js';
import { freePort } from '../helpers/ports.js';
import { redisAvailable } from '../helpers/redis-cluster.js';
import { snapshotOf } from '../helpers/snapshot.js';
import { tempDir } from '../helpers/tmp.js';

const noRedis = !redisAvailable() && !process.env.CI ? 'redis-server is not installed' : false;
// Long enough for a healthy lookup on a machine loaded by other work; a dead server must still be
// reported within it (plus scheduling slack), never waited on.
const TIMEOUT_MS = 3000;
const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';

describe('the Redis store on one node (redis://)', { skip: noRedis }, () => {
  test('serves a loaded snapshot, then answers STORE_UNAVAILABLE within its timeout once Redis is gone', async () => {
    const dir = await tempDir('rokv-redis-one-');
    const port = await freePort();
    const redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    after(() => {
      if (redis.exitCode === null && redis.signalCode === null) redis.kill('SIGKILL');
    });
    const url = `redis://127.0.0.1:${port}`;
    const snapshot = await snapshotOf({ [KEY]: 'lunmtp ftxemjfob pmo hwoya' });
    for (let tries = 0; ; tries++) {
      try {
        await loadSnapshot(snapshot, url, { keep: 2, graceMs: 0, window: 16, sample: 10 });
        break;
      } catch (err) {
        if (tries > 50) throw err;
        await sleep(100);
      }
    }
    const store = await RedisStore.open(url, { pollMs: 200, commandTimeoutMs: TIMEOUT_MS });
    try {
      const found = await store.get(parseUuid(KEY)!);
      assert.equal(Buffer.from(found!).toString(), '"lunmtp ftxemjfob pmo hwoya"');
      assert.equal(store.health().ready, true);

      const exited = once(redis, 'exit');
      redis.kill('SIGKILL');
      await exited;
      const started = Date.now();
      await assert.rejects(
        store.get(parseUuid(KEY)!),
        (err: unknown) => err instanceof HttpError && err.code === 'STORE_UNAVAILABLE' && err.statusCode === 503,
      );
      assert.ok(Date.now() - started < TIMEOUT_MS + 10_000, `the lookup took ${Date.now() - started} ms`);
      assert.equal(store.health().ready, false);
    } finally {
      await store.close();
    }
  });
});
