import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { parseServeConfig } from '../../src/config.js';
import { JSON_TYPE } from '../../src/api/contract.js';
import { dataRoutes, type DataRoutes } from '../../src/api/routes.js';
import { rokvError } from '../../src/errors.js';
import { buildApp } from '../../src/http/app.js';
import { createLaneServer, FastLane } from '../../src/http/fast-lane.js';
import { Metrics } from '../../src/http/metrics.js';
import { LmdbStore } from '../../src/store/lmdb.js';
import { badBodies, badKeys, KEY, MISSING, pairs } from '../helpers/get-value-cases.js';
import { openRaw } from '../helpers/raw-socket.js';
import { snapshotOf } from '../helpers/snapshot.js';
import { formatUuid } from '../../src/uuid.js';

/** One request as a client sends it. */
interface Ask {
  method?: string;
  path?: string;
  contentType?: string | undefined;
  body: string | Buffer;
  /** Send the body with chunked transfer encoding instead of a Content-Length. */
  chunked?: boolean;
  /** Header lines sent as given, names in their case, after the content type. */
  headers?: Record<string, string | string[]>;
}

/** The parts of an answer that must not differ between the two lanes. */
interface Answer {
  status: number;
  contentType: string | undefined;
  contentLength: string | undefined;
  dataset: string | undefined;
  connection?: string | undefined;
  body: string;
}

const json = (body: string | Buffer): Ask => ({ body });
const batch = (body: string | Buffer): Ask => ({ body, path: '/get_values' });
const batchOf = (keys: unknown[]): Ask => batch(JSON.stringify({ keys }));

// The batch limits of every app and lane here: small, so that the limit rows stay small.
const LIMITS = { batchMaxKeys: 5, batchBodyLimit: 1024 };
const STORED = Object.keys(pairs);

// Requests the lane answers itself: every body of the contract, valid or not, sent as most clients send it.
const taken: [string, Ask][] = [
  ...Object.keys(pairs).map((key): [string, Ask] => [`the stored key ${key}`, json(`{"key":"${key}"}`)]),
  ['a key after a space', json(`{"key": "${KEY}"}`)],
  ['an upper-case key', json(`{"key":"${KEY.toUpperCase()}"}`)],
  ['a missing key', json(`{"key":"${MISSING}"}`)],
  ['a key written with a JSON escape', json(`{"key":"\\u0038${KEY.slice(1)}"}`)],
  ['a canonical frame around non-hex characters', json(`{"key":"${'z'.repeat(36)}"}`)],
  ['a canonical frame around a quote', json(`{"key":"${KEY.slice(0, 34)}\\""}`)],
  ['a canonical frame around multibyte characters', json(`{"key":"${'é'.repeat(18)}"}`)],
  ['other fields besides the key', json(JSON.stringify({ key: KEY, other: [1, 2, 3] }))],
  ['whitespace around the key', json(`{ "key" : "${KEY}" }`)],
  ['bytes that are not UTF-8', json(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))],
  [
    'header names in upper case',
    { body: `{"key":"${KEY}"}`, contentType: undefined, headers: { 'CONTENT-TYPE': 'application/json' } },
  ],
  ...badKeys.map(([name, key]): [string, Ask] => [`a key that is ${name}`, json(JSON.stringify({ key }))]),
  ...badBodies
    .filter(([, body]) => body !== '')
    .map(([name, body]): [string, Ask] => [`a body that is ${name}`, json(body)]),
  ['a batch of stored keys', batchOf(STORED.slice(0, 5))],
  ['a batch holding the largest value', batchOf([STORED[4], KEY])],
  ['a batch with whitespace between its tokens', batch(`\r\n{ "keys" :\t[ "${KEY}" ,\n"${MISSING}" ] }\n`)],
  ['a batch of upper-case keys', batchOf([KEY.toUpperCase(), MISSING.toUpperCase()])],
  ['a batch with missing keys', batchOf([MISSING, KEY, MISSING])],
  ['a batch with repeated keys', batchOf([KEY, KEY, KEY])],
  ['a batch of one key', batchOf([KEY])],
  ['a batch of exactly the key limit', batchOf([KEY, MISSING, KEY, MISSING, KEY])],
  ['a batch over the key limit', batchOf([KEY, MISSING, KEY, MISSING, KEY, KEY])],
  ['an empty batch', batchOf([])],
  ['a batch with keys that are not valid', batchOf([KEY, 'nope', `{${KEY}}`, ''])],
  ['a batch with elements that are not strings', batchOf([1, null, { key: KEY }, [KEY], true])],
  ['a batch key written with a JSON escape', batch(`{"keys":["\\u0038${KEY.slice(1)}"]}`)],
  [
    'a batch key written with a JSON escape inside a valid frame',
    batch(`{"keys":["${KEY.slice(0, 30)}\\u0030${KEY.slice(36)}"]}`),
  ],
  ['a batch with another field', batch(`{"keys":["${KEY}"],"other":1}`)],
  ['a batch with its field given twice', batch(`{"keys":["nope"],"keys":["${KEY}"]}`)],
  ['a batch whose keys are not a list', batch(`{"keys":"${KEY}"}`)],
  ['a batch body without keys', batch('{}')],
  ['a batch body that is a list', batch(`["${KEY}"]`)],
  ['a batch body that is cut short', batch(`{"keys":["${KEY}"`)],
  ['a batch with a trailing comma', batch(`{"keys":["${KEY}",]}`)],
  ['a batch with bytes after the body', batch(`{"keys":["${KEY}"]}x`)],
  ['a batch body of bytes that are not UTF-8', batch(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))],
  // (Those that fit in the batch body limit: a longer body is Fastify's to refuse.)
  ...badKeys
    .filter(([, key]) => JSON.stringify(key).length < LIMITS.batchBodyLimit / 2)
    .map(([name, key]): [string, Ask] => [`a batch element that is ${name}`, batchOf([key, KEY])]),
];

// Requests the lane leaves to Fastify: what it cannot tell from the head alone.
const declined: [string, Ask][] = [
  ['a charset on the content type', { body: `{"key":"${KEY}"}`, contentType: 'application/json; charset=utf-8' }],
  ['a text/plain body', { body: `{"key":"${KEY}"}`, contentType: 'text/plain' }],
  ['no content type', { body: `{"key":"${KEY}"}`, contentType: undefined }],
  [
    'two content types',
    {
      body: `{"key":"${KEY}"}`,
      contentType: undefined,
      headers: { 'content-type': ['application/json', 'text/plain'] },
    },
  ],
  ['an empty body', json('')],
  ['a body over the limit', json(JSON.stringify({ key: KEY, pad: 'x'.repeat(5000) }))],
  ['a chunked body', { body: `{"key":"${KEY}"}`, chunked: true }],
  ['a query string', { body: `{"key":"${KEY}"}`, path: '/get_value?x=1' }],
  ['another path', { body: `{"key":"${KEY}"}`, path: '/get_value/' }],
  ['a batch with a charset on the content type', { ...batchOf([KEY]), contentType: 'application/json; charset=utf-8' }],
  ['a batch over its body limit', batchOf(Array.from({ length: 30 }, () => KEY))],
  ['a chunked batch', { ...batchOf([KEY]), chunked: true }],
  ['a batch with a query string', { ...batchOf([KEY]), path: '/get_values?x=1' }],
  ['a GET', { body: '', method: 'GET' }],
];

function answerOf(
  status: number,
  headers: Record<string, string | string[] | number | undefined>,
  body: string,
): Answer {
  const header = (name: string): string | undefined =>
    headers[name] === undefined ? undefined : String(headers[name]);
  return {
    status,
    contentType: header('content-type'),
    contentLength: header('content-length'),
    dataset: header('rokv-dataset'),
    body,
  };
}

/** Sends `ask` over a real socket to `port`. */
function overSocket(port: number, ask: Ask): Promise<Answer & { connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(ask.body);
    const headers: Record<string, string | string[]> = {};
    const contentType = 'contentType' in ask ? ask.contentType : 'application/json';
    if (contentType !== undefined) headers['content-type'] = contentType;
    if (!ask.chunked && (body.length > 0 || ask.method === undefined)) headers['content-length'] = String(body.length);
    Object.assign(headers, ask.headers);
    const req = httpRequest(
      { host: '127.0.0.1', port, method: ask.method ?? 'POST', path: ask.path ?? '/get_value', headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            ...answerOf(res.statusCode!, res.headers, Buffer.concat(chunks).toString('utf8')),
            connection: res.headers.connection,
          }),
        );
      },
    );
    req.on('error', reject);
    if (ask.chunked) req.write(body);
    req.end(ask.chunked ? undefined : body);
  });
}

/** Sends `ask` through Fastify's router with inject, which never passes through the lane. */
async function throughFastify(app: FastifyInstance, ask: Ask): Promise<Answer> {
  const contentType = 'contentType' in ask ? ask.contentType : 'application/json';
  const res = await app.inject({
    method: (ask.method ?? 'POST') as 'POST',
    url: ask.path ?? '/get_value',
    ...(ask.method === 'GET' ? {} : { payload: Buffer.from(ask.body) }),
    headers: contentType === undefined ? {} : { 'content-type': contentType },
  });
  return answerOf(res.statusCode, res.headers, res.body);
}

function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}

let store: LmdbStore;
let app: FastifyInstance;
let appPort: number;
// The same app with every request through Fastify's router: the reference the lane must match.
let reference: FastifyInstance;
let referencePort: number;

before(async () => {
  store = await LmdbStore.open(await snapshotOf(pairs));
  app = buildApp(store, parseServeConfig({ workers: 1, ...LIMITS }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  appPort = portOf(app.server);
  reference = buildApp(store, parseServeConfig({ workers: 1, fastLane: false, ...LIMITS }));
  await reference.listen({ host: '127.0.0.1', port: 0 });
  referencePort = portOf(reference.server);
});
after(async () => {
  await app.close();
  await reference.close();
  await store.close();
});

describe('the fast lane on its own', () => {
  let server: Server;
  let fastifyCalls = 0;
  let lane: FastLane;
  let routes: DataRoutes;

  before(async () => {
    routes = dataRoutes(
      store,
      {
        bodyLimit: 4096,
        batch: { maxKeys: LIMITS.batchMaxKeys, bodyLimit: LIMITS.batchBodyLimit, maxAnswerBytes: 1 << 20 },
      },
      (err) => assert.fail(String(err)),
    );
    lane = new FastLane(routes, new Metrics(store));
    server = createLaneServer(
      lane,
      store,
      (_req, res) => {
        fastifyCalls++;
        res.writeHead(599).end('declined');
      },
      { http: {}, keepAliveTimeout: 5_000, requestTimeout: 10_000 },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  for (const [name, ask] of taken) {
    test(`answers ${name} exactly as the answer core and the Fastify route do`, async () => {
      const before = fastifyCalls;
      const { connection: _connection, ...lane } = await overSocket(portOf(server), ask);
      assert.equal(fastifyCalls, before, 'the lane declined the request');
      const core = await (ask.path === '/get_values' ? routes.getValues : routes.getValue).answer(
        Buffer.from(ask.body),
      );
      assert.deepEqual(lane, {
        status: core.status,
        contentType: JSON_TYPE,
        contentLength: String(core.body.length),
        dataset: core.dataset,
        body: Buffer.from(core.body).toString('utf8'),
      });
      const { connection: _c, ...fastify } = await overSocket(referencePort, ask);
      assert.deepEqual(lane, fastify);
    });
  }

  test('leaves every request to Fastify once stopped', async () => {
    lane.stop();
    const res = await overSocket(portOf(server), json(`{"key":"${KEY}"}`));
    assert.equal(res.status, 599);
  });

  for (const [name, ask] of declined) {
    test(`leaves ${name} to Fastify`, async () => {
      const res = await overSocket(portOf(server), ask);
      assert.equal(res.status, 599);
    });
  }
});

describe('the app with its fast lane', () => {
  for (const [name, ask] of [...taken, ...declined]) {
    test(`answers ${name} as the app without its lane does`, async () => {
      assert.deepEqual(await overSocket(appPort, ask), await overSocket(referencePort, ask));
    });
  }

  test('counts answers of the lane in the same metrics as Fastify answers', async () => {
    const metricsApp = buildApp(store, parseServeConfig({ workers: 1 }));
    await metricsApp.listen({ host: '127.0.0.1', port: 0 });
    try {
      const port = portOf(metricsApp.server);
      for (const body of [`{"key":"${KEY}"}`, `{"key": "${KEY}"}`, `{"key":"${MISSING}"}`, '{"key":1}', '[]']) {
        await overSocket(port, json(body));
      }
      await throughFastify(metricsApp, { body: `{"key":"${KEY}"}`, contentType: 'application/json; charset=utf-8' });
      await overSocket(port, batchOf([KEY, MISSING, 'nope']));
      await overSocket(port, batchOf([]));
      const text = (await metricsApp.inject({ method: 'GET', url: '/metrics' })).body;
      const expected: [string, number][] = [
        ['rokv_http_requests_total{route="/get_value",method="POST",status="200"}', 3],
        ['rokv_http_requests_total{route="/get_value",method="POST",status="404"}', 1],
        ['rokv_http_requests_total{route="/get_value",method="POST",status="400"}', 2],
        ['rokv_http_requests_total{route="/get_values",method="POST",status="200"}', 1],
        ['rokv_http_requests_total{route="/get_values",method="POST",status="400"}', 1],
        ['rokv_lookups_total{outcome="found"}', 4],
        ['rokv_lookups_total{outcome="missing"}', 2],
        ['rokv_lookups_total{outcome="invalid"}', 3],
        ['rokv_batch_keys_count', 1],
        ['rokv_batch_keys_sum', 3],
        ['rokv_http_request_duration_seconds_count{route="/get_value",method="POST"}', 6],
        ['rokv_http_request_duration_seconds_count{route="/get_values",method="POST"}', 2],
      ];
      for (const [sample, value] of expected) assert.ok(text.includes(`${sample} ${value}\n`), `${sample} ${value}`);
    } finally {
      await metricsApp.close();
    }
  });

  // node:http emits 'request' once a head is parsed, which is when the lane takes it. The Bun front
  // (Bun.serve) tells no one when it has a head, so there the moment cannot be awaited, only guessed;
  // its drain is held by test/cli/serve-drain.e2e.test.ts instead.
  const headsUnobservable = process.versions.bun === undefined ? false : 'the Bun front does not report a parsed head';
  test(
    'steps aside once the app closes, so Fastify answers and closes the connection',
    { skip: headsUnobservable },
    async () => {
      const closingApp = buildApp(store, parseServeConfig({ workers: 1 }));
      await closingApp.listen({ host: '127.0.0.1', port: 0 });
      const { socket, closed } = await openRaw(portOf(closingApp.server));
      const body = `{"key":"${KEY}"}`;
      const head = `POST /get_value HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
      // The first request is in flight (its head taken by the lane) when closing starts; the second
      // arrives on the same connection afterwards.
      const headTaken = once(closingApp.server, 'request');
      socket.write(head + body.slice(0, 10));
      await headTaken;
      const closing = closingApp.close();
      socket.write(body.slice(10) + head + body);
      const text = (await closed).toString('utf8');
      await closing;
      const answers = text.split(/(?=HTTP\/1\.1 )/);
      assert.equal(answers.length, 2, text);
      assert.match(answers[0]!, /^HTTP\/1\.1 200 /);
      assert.match(answers[1]!, /^HTTP\/1\.1 200 /);
      assert.match(answers[1]!, /\r\nconnection: close\r\n/i);
    },
  );
});

describe('the fast lane over an asynchronous engine', () => {
  // An engine whose lookups settle later, as Redis's do; some keys make it fail.
  const FAILING = '0c0c0c0c-0c0c-4c0c-8c0c-0c0c0c0c0c0c';
  const BROKEN = '0d0d0d0d-0d0d-4d0d-8d0d-0d0d0d0d0d0d';
  const THROWING = '0e0e0e0e-0e0e-4e0e-8e0e-0e0e0e0e0e0e';
  let apps: FastifyInstance[] = [];
  let lanePort: number;
  let plainPort: number;
  const logged: unknown[] = [];

  before(async () => {
    const asyncStore = {
      ...store,
      info: () => store.info(),
      getMany: (keys: readonly Uint8Array[]) => {
        if (keys.some((key) => formatUuid(key) === THROWING)) throw new Error('engine exploded at once');
        return Promise.all(keys.map(later));
      },
      close: async () => {},
      get: (key: Uint8Array) => {
        if (formatUuid(key) === THROWING) throw new Error('engine exploded at once');
        return later(key);
      },
    };
    const later = async (key: Uint8Array) => {
      await new Promise((resolve) => setImmediate(resolve));
      const text = formatUuid(key);
      if (text === FAILING) throw rokvError('STORE_UNAVAILABLE');
      if (text === BROKEN) throw new Error('engine exploded');
      const found = store.get(key);
      // A plain Uint8Array, not a Buffer: the Store contract promises no more.
      return found === undefined ? undefined : Uint8Array.from(found);
    };
    const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });
    apps = [
      buildApp(asyncStore, parseServeConfig({ workers: 1 }), { logger }),
      buildApp(asyncStore, parseServeConfig({ workers: 1, fastLane: false }), { logger }),
    ];
    for (const a of apps) await a.listen({ host: '127.0.0.1', port: 0 });
    [lanePort, plainPort] = apps.map((a) => portOf(a.server)) as [number, number];
  });
  after(async () => {
    for (const a of apps) await a.close();
  });

  // name, key, status alone, status in a batch with a stored and a missing key
  const rows: [string, string, number, number][] = [
    ['a stored key', KEY, 200, 200],
    ['a missing key', MISSING, 404, 200],
    ['an engine that is unavailable', FAILING, 503, 503],
    ['an engine that throws', BROKEN, 500, 500],
    ['an engine that throws at once', THROWING, 500, 500],
  ];
  for (const [name, key, alone, batched] of rows) {
    const asks: [string, Ask, number][] = [
      ['', json(`{"key":"${key}"}`), alone],
      [' in a batch', batchOf([KEY, key, MISSING]), batched],
    ];
    for (const [where, ask, status] of asks) {
      test(`answers ${name}${where} as the app without its lane does`, async () => {
        const before = logged.length;
        const lane = await overSocket(lanePort, ask);
        const laneLogged = logged.length - before;
        const plain = await overSocket(plainPort, ask);
        assert.equal(lane.status, status);
        assert.deepEqual(lane, plain);
        assert.equal(laneLogged, logged.length - before - laneLogged, 'both lanes log the same 5xx');
      });
    }
  }
});
