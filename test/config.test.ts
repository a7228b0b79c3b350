import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RokvError } from '../src/errors.js';
import { loadServeConfig } from '../src/config.js';

describe('serve config', () => {
  test('uses defaults when nothing is given', () => {
    const c = loadServeConfig({}, {});
    assert.equal(c.port, 8080);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.data, undefined);
    assert.ok(c.workers >= 1);
  });

  test('reads PORT, HOST, ROKV_DATA and ROKV_WORKERS from the environment', () => {
    const c = loadServeConfig({}, { PORT: '9000', HOST: '127.0.0.1', ROKV_DATA: '/srv/snap', ROKV_WORKERS: '3' });
    assert.deepEqual([c.port, c.host, c.data, c.workers], [9000, '127.0.0.1', '/srv/snap', 3]);
  });

  const lanes: [string, Parameters<typeof loadServeConfig>[0], NodeJS.ProcessEnv, boolean][] = [
    ['nothing', {}, {}, true],
    ['ROKV_FAST_LANE=false', {}, { ROKV_FAST_LANE: 'false' }, false],
    ['ROKV_FAST_LANE=0', {}, { ROKV_FAST_LANE: '0' }, false],
    ['--no-fast-lane', { fastLane: false }, { ROKV_FAST_LANE: 'true' }, false],
  ];
  for (const [name, flags, env, on] of lanes) {
    test(`turns the fast lane ${on ? 'on' : 'off'} given ${name}`, () => {
      assert.equal(loadServeConfig(flags, env).fastLane, on);
    });
  }

  const readers: [string, Parameters<typeof loadServeConfig>[0], NodeJS.ProcessEnv, boolean][] = [
    ['nothing', {}, {}, true],
    ['ROKV_NATIVE_READER=false', {}, { ROKV_NATIVE_READER: 'false' }, false],
    ['--no-native-reader', { nativeReader: false }, { ROKV_NATIVE_READER: 'true' }, false],
  ];
  for (const [name, flags, env, on] of readers) {
    test(`turns the native batch reader ${on ? 'on' : 'off'} given ${name}`, () => {
      assert.equal(loadServeConfig(flags, env).nativeReader, on);
    });
  }

  test('lets flags win over the environment', () => {
    const c = loadServeConfig({ port: '9001', workers: '2' }, { PORT: '9000', ROKV_WORKERS: '3' });
    assert.deepEqual([c.port, c.workers], [9001, 2]);
  });

  test('turns CORS off by default and on from ROKV_CORS_ORIGINS or repeated --cors-origin flags', () => {
    assert.deepEqual(loadServeConfig({}, {}).corsOrigins, []);
    assert.deepEqual(
      loadServeConfig({}, { ROKV_CORS_ORIGINS: ' https://a.example, https://b.example ,' }).corsOrigins,
      ['https://a.example', 'https://b.example'],
    );
    const flagged = loadServeConfig({ corsOrigin: ['https://c.example'] }, { ROKV_CORS_ORIGINS: 'https://a.example' });
    assert.deepEqual(flagged.corsOrigins, ['https://c.example']);
  });

  test('reads the per-route limits and the cache lifetime from the environment', () => {
    const c = loadServeConfig(
      {},
      {
        ROKV_BODY_LIMIT: '2048',
        ROKV_BATCH_BODY_LIMIT: '1000000',
        ROKV_BATCH_MAX_KEYS: '10000',
        ROKV_CACHE_MAX_AGE: '0',
      },
    );
    assert.deepEqual(
      [c.bodyLimit, c.batchBodyLimit, c.batchMaxKeys, c.cacheMaxAgeSeconds],
      [2048, 1_000_000, 10_000, 0],
    );
    const d = loadServeConfig({}, {});
    assert.deepEqual([d.bodyLimit, d.batchBodyLimit, d.batchMaxKeys, d.cacheMaxAgeSeconds], [4096, 65_536, 1000, 3600]);
  });

  test('leaves auth, TLS, shedding and rate limiting off by default, with a connection cap', () => {
    const c = loadServeConfig({}, {});
    assert.deepEqual(
      [c.apiKeysFile, c.apiKeys, c.tlsCert, c.http2, c.maxEventLoopLagMs, c.rateLimit, c.maxConnections],
      [undefined, undefined, undefined, false, 0, 0, 10_000],
    );
  });

  test('reads the security and limit options from the environment, "false" meaning false', () => {
    const c = loadServeConfig(
      {},
      {
        ROKV_API_KEYS_FILE: '/run/keys',
        ROKV_AUTH_OPS: 'false',
        ROKV_TLS_CERT: '/c.pem',
        ROKV_TLS_KEY: '/k.pem',
        ROKV_HTTP2: '1',
        ROKV_MAX_EVENT_LOOP_LAG_MS: '200',
        ROKV_RATE_LIMIT: '600',
        ROKV_HEADERS_TIMEOUT_MS: '5000',
      },
    );
    assert.deepEqual(
      [c.apiKeysFile, c.authOps, c.tlsCert, c.tlsKey, c.http2, c.maxEventLoopLagMs, c.rateLimit, c.headersTimeoutMs],
      ['/run/keys', false, '/c.pem', '/k.pem', true, 200, 600, 5000],
    );
  });

  const bad: [string, Parameters<typeof loadServeConfig>[0], NodeJS.ProcessEnv, RegExp][] = [
    ['a port that is not a number', { port: 'http' }, {}, /port/],
    ['a port above 65535', { port: '70000' }, {}, /port/],
    ['zero workers', { workers: '0' }, {}, /workers/],
    ['a fractional worker count', {}, { ROKV_WORKERS: '1.5' }, /workers/],
    ['an unknown log level', { logLevel: 'loud' }, {}, /logLevel/],
    ['a batch limit of zero keys', {}, { ROKV_BATCH_MAX_KEYS: '0' }, /batchMaxKeys/],
    ['a TLS certificate without a key', { tlsCert: '/c.pem' }, {}, /tlsCert: TLS needs both/],
    ['HTTP/2 without TLS', { http2: true }, {}, /http2: HTTP\/2 is served over TLS only/],
    ['a negative lag threshold', {}, { ROKV_MAX_EVENT_LOOP_LAG_MS: '-1' }, /maxEventLoopLagMs/],
    ['zero max connections', { maxConnections: '0' }, {}, /maxConnections/],
    ['a boolean that is not one', {}, { ROKV_AUTH_OPS: 'yes' }, /authOps/],
  ];
  for (const [name, flags, env, field] of bad) {
    test(`rejects ${name} with a message naming the field`, () => {
      assert.throws(
        () => loadServeConfig(flags, env),
        (err: unknown) => err instanceof RokvError && err.code === 'CONFIG_INVALID' && field.test(err.message),
      );
    });
  }
});
