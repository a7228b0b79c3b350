import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RokvError } from '../src/errors.js';
import { loadServeConfig, serveOptions, type ServeConfig } from '../src/config.js';

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
    ['--no-fast-lane', { 'no-fast-lane': true }, { ROKV_FAST_LANE: 'true' }, false],
  ];
  for (const [name, flags, env, on] of lanes) {
    test(`turns the fast lane ${on ? 'on' : 'off'} given ${name}`, () => {
      assert.equal(loadServeConfig(flags, env).fastLane, on);
    });
  }

  const readers: [string, Parameters<typeof loadServeConfig>[0], NodeJS.ProcessEnv, boolean][] = [
    ['nothing', {}, {}, true],
    ['ROKV_NATIVE_READER=false', {}, { ROKV_NATIVE_READER: 'false' }, false],
    ['--no-native-reader', { 'no-native-reader': true }, { ROKV_NATIVE_READER: 'true' }, false],
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
    const flagged = loadServeConfig(
      { 'cors-origin': ['https://c.example'] },
      { ROKV_CORS_ORIGINS: 'https://a.example' },
    );
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

  const bad: [string, Parameters<typeof loadServeConfig>[0], NodeJS.ProcessEnv, string][] = [
    ['a port that is not a number', { port: 'http' }, {}, '--port / PORT: expected a port number 0-65535, got "http"'],
    ['a port above 65535', { port: '70000' }, {}, '--port / PORT: expected a port number 0-65535, got "70000"'],
    ['zero workers', { workers: '0' }, {}, '--workers / ROKV_WORKERS: expected a worker count 1-1024, got "0"'],
    [
      'a fractional worker count',
      {},
      { ROKV_WORKERS: '1.5' },
      '--workers / ROKV_WORKERS: expected a worker count 1-1024, got "1.5"',
    ],
    [
      'an unknown log level',
      { 'log-level': 'loud' },
      {},
      '--log-level / ROKV_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ],
    [
      'a batch limit of zero keys',
      {},
      { ROKV_BATCH_MAX_KEYS: '0' },
      '--batch-max-keys / ROKV_BATCH_MAX_KEYS: expected a whole number of at least 1, got "0"',
    ],
    [
      'a TLS certificate without a key',
      { 'tls-cert': '/c.pem' },
      {},
      '--tls-cert / ROKV_TLS_CERT: TLS needs both a certificate and a key: give --tls-cert and --tls-key',
    ],
    [
      'HTTP/2 without TLS',
      { http2: true },
      {},
      '--http2 / ROKV_HTTP2: HTTP/2 is served over TLS only: give --tls-cert and --tls-key',
    ],
    [
      'a negative lag threshold',
      {},
      { ROKV_MAX_EVENT_LOOP_LAG_MS: '-1' },
      '--max-lag-ms / ROKV_MAX_EVENT_LOOP_LAG_MS: expected a whole number of at least 0, got "-1"',
    ],
    [
      'zero max connections',
      { 'max-connections': '0' },
      {},
      '--max-connections / ROKV_MAX_CONNECTIONS: expected a whole number of at least 1, got "0"',
    ],
    [
      'a boolean that is not one',
      {},
      { ROKV_AUTH_OPS: 'yes' },
      '--auth-ops / ROKV_AUTH_OPS: expected true or false (or 1 or 0), got "yes"',
    ],
    [
      'a short admin token',
      { 'admin-token': 'short' },
      {},
      '--admin-token / ROKV_ADMIN_TOKEN: expected a token of at least 16 characters, got a secret (not shown)',
    ],
  ];
  for (const [name, flags, env, message] of bad) {
    test(`rejects ${name} naming the flag and the variable`, () => {
      assert.throws(
        () => loadServeConfig(flags, env),
        (err: unknown) => err instanceof RokvError && err.code === 'CONFIG_INVALID' && err.message === message,
      );
    });
  }

  test('gives every serve option both a flag and an environment variable', () => {
    for (const [key, spec] of Object.entries(serveOptions)) assert.ok(spec.env !== undefined, `${key} has no variable`);
    const flags = Object.values(serveOptions).map((o) => o.flag);
    const envs = Object.values(serveOptions).map((o) => o.env);
    assert.equal(new Set(flags).size, flags.length);
    assert.equal(new Set(envs).size, envs.length);
  });

  test('reads every serve option from its flag and from its variable alike', () => {
    const samples: Record<string, [string, unknown]> = {
      data: ['/srv/snap', '/srv/snap'],
      store: ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
      adminToken: ['0123456789abcdef0123', '0123456789abcdef0123'],
      logLevel: ['debug', 'debug'],
      verify: ['quick', 'quick'],
      warmUp: ['index', 'index'],
      host: ['127.0.0.1', '127.0.0.1'],
      adminHost: ['::1', '::1'],
      apiKeysFile: ['/run/keys', '/run/keys'],
      apiKeys: ['abc', 'abc'],
      tlsCert: ['/c.pem', '/c.pem'],
      tlsKey: ['/k.pem', '/k.pem'],
    };
    for (const [key, spec] of Object.entries(serveOptions)) {
      const [text, value] =
        samples[key] ??
        (spec.kind === 'boolean'
          ? [undefined, !(spec.default as boolean)]
          : spec.kind === 'list'
            ? ['https://a.example', ['https://a.example']]
            : ['7', 7]);
      const flag = spec.kind === 'boolean' ? true : spec.kind === 'list' ? [text] : text;
      const env = { [spec.env!]: spec.kind === 'boolean' ? String(value) : text };
      const tls =
        key === 'http2'
          ? { 'tls-cert': '/c.pem', 'tls-key': '/k.pem' }
          : key.startsWith('tls')
            ? { 'tls-cert': '/c.pem', 'tls-key': '/k.pem' }
            : {};
      const tlsEnv =
        key === 'http2' || key.startsWith('tls') ? { ROKV_TLS_CERT: '/c.pem', ROKV_TLS_KEY: '/k.pem' } : {};
      assert.deepEqual(
        loadServeConfig({ ...tls, [spec.flag]: flag }, {})[key as keyof ServeConfig],
        value,
        `--${spec.flag}`,
      );
      assert.deepEqual(loadServeConfig({}, { ...tlsEnv, ...env })[key as keyof ServeConfig], value, spec.env);
    }
  });
});
