import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { parseServeConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import type { LmdbStore } from '../../src/store/lmdb.js';
import type { Store } from '../../src/store/store.js';
import { SwappableStore } from '../../src/store/swappable.js';
import { appOf, postJson } from '../helpers/app.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
const MISSING = '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f';
const pairs: Record<string, string> = {
  [KEY]: 'lunmtp ftxemjfob pmo hwoya',
  '11111111-1111-4111-8111-111111111111': '',
  '22222222-2222-4222-9222-222222222222': 'quote " backslash \\ tab \t newline \n nul \u0000',
  '33333333-3333-4333-a333-333333333333': 'emoji 🦄 and ünïcödé and 中文',
  '44444444-4444-4444-b444-444444444444': 'x'.repeat(100_000),
  '66666666-6666-4666-8666-666666666666': 'lone surrogate \ud800 here',
};

let app: FastifyInstance;
let close: () => Promise<void>;
before(async () => {
  ({ app, close } = await appOf(pairs, { batchMaxKeys: 5, batchBodyLimit: 4096 }));
});
after(() => close());

/** Every kind of key a batch element can be: found, missing, invalid, not a string. */
const elements: unknown[] = [
  ...Object.keys(pairs),
  KEY.toUpperCase(),
  MISSING,
  '',
  `{${KEY}}`,
  KEY.replaceAll('-', ''),
  '00000000-0000-0000-0000-000000000000',
  'b'.repeat(300),
  123,
  null,
  true,
  { key: KEY },
  [KEY],
];

describe('POST /get_values', () => {
  test('answers each element byte for byte as POST /get_value answers that key', async (t) => {
    const { app: wide, close: closeWide } = await appOf(pairs, { batchBodyLimit: 65_536 });
    t.after(closeWide);
    const res = await postJson(wide, '/get_values', { keys: elements });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const singles: string[] = [];
    for (const key of elements) singles.push((await postJson(wide, '/get_value', { key })).body);
    assert.equal(res.body, `{"results":[${singles.join(',')}]}`);
    const { results } = res.json<{ results: Record<string, unknown>[] }>();
    assert.equal(results.length, elements.length);
    assert.deepEqual(results[0], { value: pairs[KEY] });
  });

  test('answers 1,000 keys of every kind, repeats included, each byte for byte as POST /get_value', async (t) => {
    // About 17 MB of answer (the 100 KB value ~170 times): over the default answer limit.
    const { app: wide, close: closeWide } = await appOf(pairs, {
      batchMaxKeys: 1000,
      batchBodyLimit: 1_000_000,
      batchMaxAnswerBytes: 64 << 20,
    });
    t.after(closeWide);
    const kinds = [...elements, ...Object.keys(pairs).map((k) => k.toUpperCase())];
    // A stride coprime with the number of kinds, so neighbours differ and every kind repeats.
    const keys = Array.from({ length: 1000 }, (_, i) => kinds[(i * 7) % kinds.length]);
    const res = await postJson(wide, '/get_values', { keys });
    assert.equal(res.statusCode, 200);
    const single = new Map<string, string>();
    for (const key of kinds) single.set(JSON.stringify(key), (await postJson(wide, '/get_value', { key })).body);
    assert.equal(res.body, `{"results":[${keys.map((k) => single.get(JSON.stringify(k))).join(',')}]}`);
  });

  test('answers a batch with no valid key at all without looking anything up', async () => {
    const res = await postJson(app, '/get_values', { keys: [123, 'not-a-key', null] });
    assert.equal(res.statusCode, 200);
    const codes = res.json<{ results: { code: string }[] }>().results.map((r) => r.code);
    assert.deepEqual(codes, ['KEY_NOT_STRING', 'KEY_INVALID', 'KEY_NOT_STRING']);
  });

  const engines: [string, (inner: LmdbStore) => Store][] = [
    ['a swappable store (as a data root serves)', (inner) => new SwappableStore(inner)],
    [
      'an engine without getPacked (as Redis)',
      (inner) => ({
        get: (key) => inner.get(key),
        getMany: (keys) => inner.getMany(keys),
        info: () => inner.info(),
        close: () => inner.close(),
      }),
    ],
  ];
  for (const [name, wrap] of engines) {
    test(`answers the same bytes through ${name}`, async (t) => {
      const { app: direct, store, close: closeDirect } = await appOf(pairs, { batchBodyLimit: 65_536 });
      t.after(closeDirect);
      const wrapped = buildApp(wrap(store), parseServeConfig({ workers: 1, batchBodyLimit: 65_536 }));
      t.after(() => wrapped.close());
      const keys = [...elements, MISSING, KEY];
      const expected = await postJson(direct, '/get_values', { keys });
      const res = await postJson(wrapped, '/get_values', { keys });
      assert.equal(res.statusCode, 200);
      assert.equal(res.body, expected.body);
    });
  }

  test('keeps the order of the keys and answers repeated keys each time', async () => {
    const keys = [MISSING, KEY, MISSING, KEY, '33333333-3333-4333-a333-333333333333'];
    const res = await postJson(app, '/get_values', { keys });
    const { results } = res.json<{ results: { value?: string; code?: string }[] }>();
    assert.deepEqual(
      results.map((r) => r.value ?? r.code),
      ['KEY_NOT_FOUND', pairs[KEY], 'KEY_NOT_FOUND', pairs[KEY], pairs['33333333-3333-4333-a333-333333333333']],
    );
  });

  test('answers a batch of exactly the limit', async () => {
    const res = await postJson(app, '/get_values', { keys: Array(5).fill(KEY) });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json<{ results: unknown[] }>().results.length, 5);
  });

  test('answers 413 with the limit in the message for one key over the limit', async () => {
    const res = await postJson(app, '/get_values', { keys: Array(6).fill(KEY) });
    assert.equal(res.statusCode, 413, res.body);
    const body = res.json<{ message: string; code: string }>();
    assert.equal(body.code, 'BATCH_TOO_LARGE');
    assert.match(body.message, /at most 5 keys/);
  });

  test('answers 413 for a body over the batch body limit', async () => {
    const res = await postJson(app, '/get_values', { keys: [KEY], pad: 'x'.repeat(5000) });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json<{ code: string }>().code, 'BODY_TOO_LARGE');
    assert.match(res.json<{ message: string }>().message, /4096 bytes/);
  });

  const badBodies: [string, string][] = [
    ['an array', JSON.stringify([KEY])],
    ['a string', JSON.stringify(KEY)],
    ['null', 'null'],
    ['an object without keys', JSON.stringify({ key: KEY })],
    ['keys as a string', JSON.stringify({ keys: KEY })],
    ['keys as an object', JSON.stringify({ keys: { 0: KEY } })],
    ['keys as null', JSON.stringify({ keys: null })],
    ['an empty list', JSON.stringify({ keys: [] })],
  ];
  for (const [name, body] of badBodies) {
    test(`answers 400 BATCH_INVALID for ${name}`, async () => {
      const res = await postJson(app, '/get_values', body);
      assert.equal(res.statusCode, 400, res.body);
      const answer = res.json<{ message: string; code: string }>();
      assert.equal(answer.code, 'BATCH_INVALID');
      assert.match(answer.message, /\{"keys": \["<uuid>", \.\.\.\]\} with 1 to 5 keys/);
    });
  }

  test('answers 400 for a body that is not JSON and 415 for another content type', async () => {
    assert.equal((await postJson(app, '/get_values', '{"keys": [')).statusCode, 400);
    const res = await app.inject({
      method: 'POST',
      url: '/get_values',
      payload: '{}',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(res.statusCode, 415);
  });

  test('answers 405 with Allow for other methods', async () => {
    const res = await app.inject({ method: 'GET', url: '/get_values' });
    assert.equal(res.statusCode, 405);
    assert.equal(res.headers.allow, 'POST');
  });
});
