import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { catalog } from '../../src/errors.js';
import { etagOf, noneMatch } from '../../src/http/values.js';
import type { LmdbStore } from '../../src/store/lmdb.js';
import { appOf, postJson } from '../helpers/app.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
const MISSING = '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f';
const pairs: Record<string, string> = {
  [KEY]: 'lunmtp ftxemjfob pmo hwoya',
  '33333333-3333-4333-a333-333333333333': 'emoji 🦄 and "quotes"',
};

let app: FastifyInstance;
let store: LmdbStore;
let close: () => Promise<void>;
before(async () => {
  ({ app, store, close } = await appOf(pairs, { cacheMaxAgeSeconds: 600 }));
});
after(() => close());

const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

describe('GET /values/{key}', () => {
  const keys: [string, string][] = [
    ['a found key', KEY],
    ['an upper-case key', KEY.toUpperCase()],
    ['a value with quotes and emoji', '33333333-3333-4333-a333-333333333333'],
    ['a missing key', MISSING],
    ['a key with braces', `{${KEY}}`],
    ['a key without hyphens', KEY.replaceAll('-', '')],
    ['a version 1 key', '8a35eb59-62b3-181c-8875-1f248df4c952'],
  ];
  for (const [name, key] of keys) {
    test(`answers ${name} exactly as POST /get_value does`, async () => {
      const res = await get(`/values/${encodeURIComponent(key)}`);
      const single = await postJson(app, '/get_value', { key });
      assert.equal(res.statusCode, single.statusCode);
      assert.equal(res.body, single.body);
    });
  }

  const longSegments: [string, string][] = [
    ['101 characters', 'a'.repeat(101)],
    ['a key followed by 70 more characters', KEY + 'b'.repeat(70)],
    ['10,000 characters', 'c'.repeat(10_000)],
    ['200 multibyte characters', 'é'.repeat(200)],
  ];
  for (const [name, key] of longSegments) {
    test(`answers a path segment of ${name} with the catalog's KEY_INVALID and a shortened echo`, async () => {
      const res = await get(`/values/${encodeURIComponent(key)}`);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.body, JSON.stringify({ message: catalog.KEY_INVALID(key).message, code: 'KEY_INVALID' }));
      assert.ok(res.body.length < 300, `the echo is shortened: ${res.body.length} chars`);
      const head = await app.inject({ method: 'HEAD', url: `/values/${encodeURIComponent(key)}` });
      assert.equal(head.statusCode, 400);
    });
  }

  const badUrls: [string, string][] = [
    ['a bad percent-escape', '/values/%zz'],
    ['a bad percent-escape in a 3,000-character path', `/values/%zz${'a'.repeat(3000)}`],
    ['a cut multibyte escape', '/%E0%A4%A'],
  ];
  for (const [name, url] of badUrls) {
    test(`answers a URL with ${name} with the catalog's 400 and a short message`, async () => {
      const res = await get(url);
      assert.equal(res.statusCode, 400);
      const body = JSON.parse(res.body) as { message: string; code: string };
      assert.equal(body.code, 'BAD_REQUEST');
      assert.match(
        body.message,
        /^bad request: '\/.*' is not a valid url component$|^bad request: .*\.\.\.\(\d+ chars\)$/,
      );
      assert.ok(res.body.length < 300, `the echo is shortened: ${res.body.length} chars`);
    });
  }

  test('carries a strong ETag naming the data set and the key, and a public Cache-Control', async () => {
    const res = await get(`/values/${KEY.toUpperCase()}`);
    assert.equal(res.headers.etag, `"${store.info().id}.${KEY}"`);
    assert.doesNotMatch(String(res.headers.etag), /^W\//);
    assert.equal(res.headers['cache-control'], 'public, max-age=600');
  });

  test('caches a miss like a hit, and an invalid key not at all', async () => {
    const miss = await get(`/values/${MISSING}`);
    assert.equal(miss.statusCode, 404);
    assert.equal(miss.headers.etag, etagOf(store.info().id, MISSING));
    const invalid = await get('/values/not-a-key');
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.headers.etag, undefined);
    assert.equal(invalid.headers['cache-control'], undefined);
  });

  const matches: [string, string, number][] = [
    ['the ETag itself', etagOfKey(), 304],
    ['the ETag in a list', `"other", ${etagOfKey()}`, 304],
    ['the weak form of the ETag', `W/${etagOfKey()}`, 304],
    ['a star', '*', 304],
    ['another ETag', '"other"', 200],
    ['the ETag of another data set', `"x.${KEY}"`, 200],
  ];
  for (const [name, header, status] of matches) {
    test(`answers ${status} to If-None-Match with ${name}`, async () => {
      const res = await get(`/values/${KEY}`, { 'if-none-match': header.replace('ID', store.info().id) });
      assert.equal(res.statusCode, status);
      assert.equal(res.headers.etag, etagOf(store.info().id, KEY));
      if (status === 304) assert.equal(res.body, '');
    });
  }

  test('answers HEAD with the headers of GET and no body', async () => {
    const full = await get(`/values/${KEY}`);
    const head = await app.inject({ method: 'HEAD', url: `/values/${KEY}` });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers.etag, full.headers.etag);
    assert.equal(head.headers['content-length'], full.headers['content-length']);
  });

  test('answers 405 with Allow for other methods', async () => {
    const res = await app.inject({ method: 'POST', url: `/values/${KEY}` });
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers.allow, 'GET, HEAD');
  });
});

function etagOfKey(): string {
  return `"ID.${KEY}"`;
}

describe('noneMatch', () => {
  test('does not match without a header or with an empty one', () => {
    assert.equal(noneMatch(undefined, '"a"'), false);
    assert.equal(noneMatch('', '"a"'), false);
  });
});

describe('GET /dataset and the data set header', () => {
  test('returns the public fields of the manifest and nothing else', async () => {
    const res = await get('/dataset');
    assert.equal(res.statusCode, 200);
    const info = store.info();
    assert.deepEqual(res.json(), {
      id: info.id,
      count: 2,
      createdAt: info.createdAt,
      source: 'input.json',
      formatVersion: 1,
    });
  });

  test('stamps every answer on the wire with the data set id, errors and unknown paths included', async (t) => {
    const { app: listening, store: s, close: closeIt } = await appOf(pairs);
    t.after(closeIt);
    const base = await listening.listen({ port: 0, host: '127.0.0.1' });
    const answers = await Promise.all([
      fetch(`${base}/get_value`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key: KEY }),
      }),
      fetch(`${base}/get_value`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
      fetch(`${base}/values/${MISSING}`),
      fetch(`${base}/no/such/path`),
      fetch(`${base}/get_values`, { method: 'PUT' }),
      fetch(`${base}/healthz`),
    ]);
    for (const res of answers) {
      assert.equal(res.headers.get('rokv-dataset'), s.info().id, `${res.url} ${res.status}`);
      await res.arrayBuffer();
    }
  });
});
