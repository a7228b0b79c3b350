import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Readiness } from '../../src/http/probes.js';
import { appOf } from '../helpers/app.js';

const pairs = { '8a35eb59-62b3-481c-8875-1f248df4c952': 'v' };

describe('GET /healthz and GET /readyz', () => {
  test('healthz answers 200 whatever the readiness', async (t) => {
    const { app, close } = await appOf(pairs, {}, { readiness: new Readiness() });
    t.after(close);
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
  });

  test('readyz answers 503 while starting, 200 once serving, 503 from the start of shutdown', async (t) => {
    const readiness = new Readiness();
    const { app, close } = await appOf(pairs, {}, { readiness });
    t.after(close);
    const starting = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(starting.statusCode, 503);
    assert.deepEqual(starting.json(), { message: 'not ready: the server is starting', code: 'NOT_READY' });

    readiness.serving();
    const serving = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(serving.statusCode, 200);
    assert.deepEqual(serving.json(), { status: 'ready' });

    readiness.stopping();
    readiness.serving();
    const stopping = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(stopping.statusCode, 503);
    assert.match(stopping.json<{ message: string }>().message, /shutting down/);
  });

  test('closing the app flips readiness to stopping before connections close', async () => {
    const readiness = new Readiness();
    const { app, store } = await appOf(pairs, {}, { readiness });
    readiness.serving();
    const closed = app.close();
    await closed;
    assert.equal(readiness.phase, 'stopping');
    await store.close();
  });

  test('readyz answers 503 when the probe lookup fails', async (t) => {
    const readiness = new Readiness();
    const { app, store, close } = await appOf(pairs, {}, { readiness });
    t.after(close);
    readiness.serving();
    // A store whose lookups throw, as a closed or broken engine's do.
    store.get = () => {
      throw new Error('engine is gone');
    };
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 503);
    assert.deepEqual(res.json(), { message: 'not ready: the data set cannot be read', code: 'NOT_READY' });
  });

  test('an app built without a readiness is ready once Fastify is', async (t) => {
    const { app, close } = await appOf(pairs);
    t.after(close);
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  });
});
