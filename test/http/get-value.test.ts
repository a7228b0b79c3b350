import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { parseServeConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { LmdbStore } from '../../src/store/lmdb.js';
import { snapshotOf } from '../helpers/snapshot.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
const MISSING = '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f';
const pairs: Record<string, string> = {
  [KEY]: 'lunmtp ftxemjfob pmo hwoya',
  '11111111-1111-4111-8111-111111111111': '',
  '22222222-2222-4222-9222-222222222222': 'quote " backslash \\ tab \t newline \n nul \u0000 bell \u0007',
  '33333333-3333-4333-a333-333333333333': 'emoji 🦄 and ünïcödé and 中文',
  '44444444-4444-4444-b444-444444444444': 'x'.repeat(100_000),
  '55555555-5555-4555-8555-555555555555': '{"value":"not json inside"}',
  '66666666-6666-4666-8666-666666666666': 'lone surrogate \ud800 here',
};

let app: FastifyInstance;
let store: LmdbStore;

before(async () => {
  store = await LmdbStore.open(await snapshotOf(pairs));
  app = buildApp(store, parseServeConfig({ workers: 1 }));
  await app.ready();
});
after(async () => {
  await app.close();
  await store.close();
});

function postRaw(payload: string | Buffer, contentType: string | undefined = 'application/json') {
  return app.inject({
    method: 'POST',
    url: '/get_value',
    payload,
    headers: contentType === undefined ? {} : { 'content-type': contentType },
  });
}

function postKey(key: unknown) {
  return postRaw(JSON.stringify({ key }));
}

/** Asserts an error answer: the status, a JSON body with a message and the expected code. */
function assertError(res: Awaited<ReturnType<typeof postRaw>>, status: number, code: string) {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.json() as { message: unknown; code: unknown };
  assert.equal(typeof body.message, 'string');
  assert.ok((body.message as string).length > 10);
  assert.equal(body.code, code);
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message']);
  assert.doesNotMatch(res.body, /at .*\.(ts|js):\d+|node_modules|\/work\//);
}

describe('POST /get_value', () => {
  test('answers a known key with exactly {"value"}', async () => {
    const res = await postKey(KEY);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.deepEqual(res.json(), { value: pairs[KEY] });
    assert.equal(res.body, JSON.stringify({ value: pairs[KEY] }));
  });

  test('round-trips every value byte for byte', async () => {
    for (const [key, value] of Object.entries(pairs)) {
      const res = await postKey(key);
      assert.equal(res.statusCode, 200, key);
      assert.deepEqual(res.json(), { value }, key);
    }
  });

  test('treats an upper-case key as the same key', async () => {
    const res = await postKey(KEY.toUpperCase());
    assert.deepEqual(res.json(), { value: pairs[KEY] });
  });

  test('accepts a charset parameter on the content type', async () => {
    const res = await postRaw(JSON.stringify({ key: KEY }), 'application/json; charset=utf-8');
    assert.equal(res.statusCode, 200);
  });

  test('ignores fields other than key', async () => {
    const res = await postRaw(JSON.stringify({ key: KEY, other: [1, 2, 3] }));
    assert.deepEqual(res.json(), { value: pairs[KEY] });
  });

  test('answers 404 for a valid key that is not in the data set', async () => {
    const res = await postKey(MISSING);
    assertError(res, 404, 'KEY_NOT_FOUND');
    assert.match((res.json() as { message: string }).message, new RegExp(MISSING));
  });

  const badKeys: [string, unknown, string][] = [
    ['a number', 123, 'KEY_NOT_STRING'],
    ['null', null, 'KEY_NOT_STRING'],
    ['an object', { k: KEY }, 'KEY_NOT_STRING'],
    ['an array', [KEY], 'KEY_NOT_STRING'],
    ['a boolean', true, 'KEY_NOT_STRING'],
    ['an empty string', '', 'KEY_INVALID'],
    ['a key with braces', `{${KEY}}`, 'KEY_INVALID'],
    ['a urn key', `urn:uuid:${KEY}`, 'KEY_INVALID'],
    ['a key without hyphens', KEY.replaceAll('-', ''), 'KEY_INVALID'],
    ['a key with surrounding spaces', ` ${KEY} `, 'KEY_INVALID'],
    ['a version 1 key', '8a35eb59-62b3-181c-8875-1f248df4c952', 'KEY_INVALID'],
    ['the nil uuid', '00000000-0000-0000-0000-000000000000', 'KEY_INVALID'],
    ['a very long string', 'a'.repeat(3000), 'KEY_INVALID'],
  ];
  for (const [name, key, code] of badKeys) {
    test(`rejects ${name} as the key with 400`, async () => {
      assertError(await postKey(key), 400, code);
    });
  }

  test('echoes an invalid key in the message, shortened', async () => {
    const res = await postKey('b'.repeat(3000));
    const { message } = res.json() as { message: string };
    assert.ok(message.length < 400, message);
    assert.match(message, /UUIDv4/);
  });

  const badBodies: [string, string, string][] = [
    ['invalid JSON', '{"key": ', 'BODY_INVALID_JSON'],
    ['a trailing comma', `{"key": "${KEY}",}`, 'BODY_INVALID_JSON'],
    ['single quotes', `{'key': '${KEY}'}`, 'BODY_INVALID_JSON'],
    ['an array', `["${KEY}"]`, 'BODY_NOT_OBJECT'],
    ['a number', '42', 'BODY_NOT_OBJECT'],
    ['a string', `"${KEY}"`, 'BODY_NOT_OBJECT'],
    ['null', 'null', 'BODY_NOT_OBJECT'],
    ['an empty object', '{}', 'KEY_MISSING'],
    ['a key only in __proto__', `{"__proto__": {"key": "${KEY}"}}`, 'KEY_MISSING'],
    ['a constructor.prototype trick', `{"constructor": {"prototype": {"key": "${KEY}"}}}`, 'KEY_MISSING'],
    ['deeply nested arrays', `${'['.repeat(1500)}${']'.repeat(1500)}`, 'BODY_NOT_OBJECT'],
    ['a deeply nested key', `{"key": ${'['.repeat(1000)}${']'.repeat(1000)}}`, 'KEY_NOT_STRING'],
    ['an empty body', '', 'BODY_EMPTY'],
    
  ];
  for (const [name, payload, code] of badBodies) {
    test(`rejects a body that is ${name} with 400`, async () => {
      assertError(await postRaw(payload), 400, code);
    });
  }

  test('rejects a body of bytes that are not UTF-8 with 400', async () => {
    assertError(await postRaw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 400, 'BODY_INVALID_JSON');
  });

  test('does not let a __proto__ body pollute Object.prototype', async () => {
    await postRaw('{"__proto__": {"polluted": "yes"}, "key": 1}');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('rejects an 8 MB body with 413', async () => {
    const big = JSON.stringify({ key: KEY, pad: 'x'.repeat(8 * 2 ** 20) });
    const res = await postRaw(big);
    assertError(res, 413, 'BODY_TOO_LARGE');
    assert.match((res.json() as { message: string }).message, /4096 bytes/);
  });

  const badTypes: [string, string | undefined][] = [
    ['text/plain', 'text/plain'],
    ['form encoding', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['application/xml', 'application/xml'],
    ['a json lookalike', 'application/jsonp'],
  ];
  for (const [name, type] of badTypes) {
    test(`rejects a ${name} content type with 415`, async () => {
      assertError(await postRaw(JSON.stringify({ key: KEY }), type), 415, 'CONTENT_TYPE_UNSUPPORTED');
    });
  }

  test('rejects a body with no content type with 415', async () => {
    const res = await app.inject({ method: 'POST', url: '/get_value', payload: Buffer.from(`{"key":"${KEY}"}`) });
    assertError(res, 415, 'CONTENT_TYPE_UNSUPPORTED');
  });

  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const) {
    test(`answers ${method} /get_value with 405 and an Allow header`, async () => {
      const res = await app.inject({ method, url: '/get_value' });
      assertError(res, 405, 'METHOD_NOT_ALLOWED');
      assert.equal(res.headers.allow, 'POST');
    });
  }

  test('answers HEAD /get_value with 405', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/get_value' });
    assert.equal(res.statusCode, 405);
  });

  for (const url of ['/', '/get_values_x', '/GET_VALUE', '/get_value/extra', '/%']) {
    test(`answers an unknown path ${url} with a JSON error`, async () => {
      const res = await app.inject({ method: 'POST', url, payload: { key: KEY } });
      assert.ok(res.statusCode === 404 || res.statusCode === 400, String(res.statusCode));
      const body = res.json() as { message: string };
      assert.equal(typeof body.message, 'string');
    });
  }

  test('keeps answering after a run of bad requests', async () => {
    for (const [, payload] of badBodies) await postRaw(payload);
    const res = await postKey(KEY);
    assert.equal(res.statusCode, 200);
  });
});
