import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { parseServeConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { LmdbStore } from '../../src/store/lmdb.js';
import { formatUuid, parseUuid, stampV4 } from '../../src/uuid.js';
import { snapshotOf } from '../helpers/snapshot.js';

/** The contract's definition of a canonical UUIDv4, written independently of the parser. */
const CANONICAL_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const NIL = '00000000-0000-0000-0000-000000000000';

const v4Key = fc.uuid({ version: 4 });
/** A valid key with one character replaced, inserted or deleted: the inputs closest to the boundary. */
const nearMiss = fc
  .tuple(v4Key, fc.nat(36), fc.string({ unit: 'binary', minLength: 0, maxLength: 2 }), fc.boolean())
  .map(([key, at, text, replace]) => key.slice(0, at) + text + key.slice(at + (replace ? 1 : 0)));
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  nearMiss,
  v4Key.map((k) => k.toUpperCase()),
);

describe('key parser properties', () => {
  test('every 16 random bytes stamped as v4 round-trip through format and parse, in either case', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (raw) => {
        const bytes = stampV4(raw);
        const text = formatUuid(bytes);
        assert.deepEqual(parseUuid(text), bytes);
        assert.deepEqual(parseUuid(text.toUpperCase()), bytes);
      }),
      { numRuns: 2_000 },
    );
  });

  test('a string is accepted exactly when it is a canonical UUIDv4, and then formats back to itself', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const parsed = parseUuid(text);
        assert.equal(parsed !== undefined, CANONICAL_V4.test(text) && text !== NIL, JSON.stringify(text));
        if (parsed) assert.equal(formatUuid(parsed), text.toLowerCase());
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('request body properties (in process)', () => {
  let app: FastifyInstance;
  let store: LmdbStore;
  const pairs = new Map<string, string>();

  before(async () => {
    const keys = fc.sample(v4Key, { numRuns: 300, seed: 9 });
    const values = fc.sample(fc.string({ unit: 'binary', maxLength: 200 }), { numRuns: 300, seed: 10 });
    keys.forEach((k, i) => pairs.set(k, values[i]!));
    store = await LmdbStore.open(await snapshotOf(Object.fromEntries(pairs)));
    app = buildApp(store, parseServeConfig({ workers: 1 }));
    await app.ready();
  });
  after(async () => {
    await app.close();
    await store.close();
  });

  test('every stored key, in either case, answers 200 with exactly its value', async () => {
    for (const [key, value] of pairs) {
      for (const asked of [key, key.toUpperCase()]) {
        const res = await app.inject({ method: 'POST', url: '/get_value', payload: { key: asked } });
        assert.equal(res.statusCode, 200);
        assert.equal(res.body, JSON.stringify({ value }));
      }
    }
  });

  test('a valid key that is not stored answers 404, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(v4Key, async (key) => {
        fc.pre(!pairs.has(key));
        const res = await app.inject({ method: 'POST', url: '/get_value', payload: { key } });
        assert.equal(res.statusCode, 404);
        assert.equal(res.json<{ code: string }>().code, 'KEY_NOT_FOUND');
      }),
      { numRuns: 300 },
    );
  });

  const bodies = fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.record({ key: fc.oneof(anyText, fc.jsonValue()) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
    fc.dictionary(fc.string(), fc.jsonValue()).map((v) => JSON.stringify(v)),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.constantFrom(
      '{"key":',
      '{"__proto__":{"key":"x"}}',
      '{"constructor":{"prototype":{}}}',
      '[]',
      'null',
      '"',
      '{}',
    ),
  );
  const contentTypes = fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'APPLICATION/JSON',
      '',
    ),
    fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
  );

  test('no body under any content type yields a 5xx, and every error carries a message and a code', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, contentTypes, async (payload, contentType) => {
        const res = await app.inject({
          method: 'POST',
          url: '/get_value',
          payload,
          headers: contentType === '' ? {} : { 'content-type': contentType },
        });
        assert.ok(
          res.statusCode < 500,
          `${res.statusCode} for ${JSON.stringify(payload)} as ${JSON.stringify(contentType)}`,
        );
        const answer = res.json<Record<string, unknown>>();
        if (res.statusCode === 200) assert.deepEqual(Object.keys(answer), ['value']);
        else assert.deepEqual([typeof answer.message, typeof answer.code], ['string', 'string']);
      }),
      { numRuns: 3_000 },
    );
  });
});
