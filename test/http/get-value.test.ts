import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { parseServeConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { LmdbStore } from '../../src/store/lmdb.js';
import { badBodies, badKeys, KEY, MISSING, pairs } from '../helpers/get-value-cases.js';
import { snapshotOf } from '../helpers/snapshot.js';

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
  const body = res.json<{ message: unknown; code: unknown }>();
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
    assert.match(res.json<{ message: string }>().message, new RegExp(MISSING));
  });

  for (const [name, key, code] of badKeys) {
    test(`rejects ${name} as the key with 400`, async () => {
      assertError(await postKey(key), 400, code);
    });
  }

  test('echoes an invalid key in the message, shortened', async () => {
    const res = await postKey('b'.repeat(3000));
    const { message } = res.json<{ message: string }>();
    assert.ok(message.length < 400, message);
    assert.match(message, /UUIDv4/);
  });

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
    assert.match(res.json<{ message: string }>().message, /4096 bytes/);
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
      const body = res.json<{ message: string }>();
      assert.equal(typeof body.message, 'string');
    });
  }

  test('keeps answering after a run of bad requests', async () => {
    for (const [, payload] of badBodies) await postRaw(payload);
    const res = await postKey(KEY);
    assert.equal(res.statusCode, 200);
  });
});
