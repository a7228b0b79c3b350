import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { parseServeConfig } from '../../src/config.js';
import { ApiKeys, hashApiKey } from '../../src/http/api-keys.js';
import { buildApp } from '../../src/http/app.js';
import { LmdbStore } from '../../src/store/lmdb.js';
import { eventually } from '../helpers/processes.js';
import { snapshotOf } from '../helpers/snapshot.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
let store: LmdbStore;

before(async () => {
  store = await LmdbStore.open(await snapshotOf({ [KEY]: 'v' }));
});
after(() => store.close());

const lookup = { method: 'POST' as const, url: '/get_value', payload: { key: KEY } };

describe('limits and failure answers (in process)', () => {
  test('with every option off, no request hook is registered at all', async () => {
    const app = buildApp(store, parseServeConfig({ workers: 1 }));
    await app.ready();
    assert.doesNotMatch(app.printRoutes({ includeHooks: true }), /onRequest|preHandler/);
    assert.equal(app.hasPlugin('@fastify/under-pressure') || app.hasPlugin('@fastify/rate-limit'), false);
    await app.close();
  });

  test('with keys, shedding and a rate limit on, the hooks are there', async () => {
    const app = buildApp(store, parseServeConfig({ workers: 1, maxEventLoopLagMs: 500, rateLimit: 100 }), {
      apiKeys: new ApiKeys({ digests: hashApiKey('k') }),
    });
    await app.ready();
    assert.match(app.printRoutes({ includeHooks: true }), /onRequest/);
    await app.close();
  });

  test('when the event loop lags past the threshold, requests get 503 with Retry-After, then service resumes', async () => {
    const app = buildApp(store, parseServeConfig({ workers: 1, maxEventLoopLagMs: 50 }));
    await app.ready();
    const block = (ms: number) => {
      const end = Date.now() + ms;
      while (Date.now() < end);
    };
    assert.equal((await app.inject(lookup)).statusCode, 200);
    let shed: Awaited<ReturnType<typeof app.inject>> | undefined;
    // A sustained lag (the loop blocked 120 ms of every 130), so every sample the plugin takes sees it.
    const hog = setInterval(() => block(120), 130);
    try {
      assert.ok(
        await eventually(async () => {
          const res = await app.inject(lookup);
          if (res.statusCode === 503) shed = res;
          return shed !== undefined;
        }, 10_000),
        'a lagging loop sheds load',
      );
    } finally {
      clearInterval(hog);
    }
    assert.equal(shed!.headers['retry-after'], '2');
    assert.equal(shed!.json<{ code: string }>().code, 'UNAVAILABLE');
    assert.match(shed!.json<{ message: string }>().message, /overloaded/);
    assert.ok(await eventually(async () => (await app.inject(lookup)).statusCode === 200, 10_000), 'service resumes');
    await app.close();
  });

  test('a client over the rate limit gets 429 with Retry-After and a catalog body', async () => {
    const app = buildApp(store, parseServeConfig({ workers: 1, rateLimit: 5 }));
    await app.ready();
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof app.inject>> | undefined;
    for (let i = 0; i < 7; i++) {
      last = await app.inject(lookup);
      statuses.push(last.statusCode);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
    assert.ok(Number(last!.headers['retry-after']) > 0);
    assert.equal(last!.json<{ code: string }>().code, 'RATE_LIMITED');
    assert.match(last!.json<{ message: string }>().message, /5 a minute/);
    const other = await app.inject({ ...lookup, remoteAddress: '10.0.0.2' });
    assert.equal(other.statusCode, 200, 'the limit is per client');
    await app.close();
  });

  test('the rate limit counts requests before the key check, so key guessing is limited too', async () => {
    const app = buildApp(store, parseServeConfig({ workers: 1, rateLimit: 3 }), {
      apiKeys: new ApiKeys({ digests: hashApiKey('k') }),
    });
    await app.ready();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await app.inject({ ...lookup, headers: { authorization: `Bearer guess-${i}` } })).statusCode);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
    await app.close();
  });

  test('an error thrown inside a request answers a generic 500 and is logged with the request id', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = buildApp(store, parseServeConfig({ workers: 1 }), { logger: pino({ level: 'info' }, sink) });
    app.get('/boom', () => {
      throw new Error('secret detail at /srv/internal/path');
    });
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/boom' });
    assert.equal(res.statusCode, 500);
    assert.deepEqual(res.json(), { message: 'internal server error; the failure was logged', code: 'INTERNAL' });
    const logged = lines.map((l) => JSON.parse(l) as { reqId?: string; err?: { message: string } }).find((l) => l.err);
    assert.ok(logged?.reqId, 'the log line carries the request id');
    assert.match(logged.err!.message, /secret detail/);
    assert.equal((await app.inject(lookup)).statusCode, 200, 'the app keeps serving');
    await app.close();
  });
});
