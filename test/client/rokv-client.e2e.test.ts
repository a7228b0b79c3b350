import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { RokvClient, RokvClientError, type GetResult } from '../../src/index.js';
import { serveSnapshotOf } from '../helpers/binary.js';
import { sendJson, startFakeServer } from '../helpers/fake-server.js';

const FOUND = '8a35eb59-62b3-481c-8875-1f248df4c952';
const MISSING = '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f';
const pairs: Record<string, string> = {
  [FOUND]: 'lunmtp ftxemjfob pmo hwoya',
  '11111111-1111-4111-8111-111111111111': 'quote " and emoji 🦄',
  '22222222-2222-4222-9222-222222222222': '',
};

/** Rejection check: a RokvClientError with `code` (and `status` when given). */
function clientError(code: string, status?: number) {
  return (err: unknown) => {
    assert.ok(err instanceof RokvClientError, `expected a RokvClientError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (status !== undefined) assert.equal(err.status, status);
    return true;
  };
}

// Started at the top level: the helpers' after() hooks then belong to the file, not to a hook.
const server = await serveSnapshotOf(pairs, ['--workers', '1']);

describe('RokvClient against a real rokv server', () => {
  const client = new RokvClient({ url: server.url });
  after(() => client.close());

  const rows: { name: string; key: string; expected: GetResult['kind']; value?: string; code?: string }[] = [
    { name: 'a stored key is found with its value', key: FOUND, expected: 'found', value: pairs[FOUND] },
    { name: 'an upper-case key is found too', key: FOUND.toUpperCase(), expected: 'found', value: pairs[FOUND] },
    {
      name: 'escapes and unicode come back intact',
      key: '11111111-1111-4111-8111-111111111111',
      expected: 'found',
      value: 'quote " and emoji 🦄',
    },
    {
      name: 'an empty value is found, not missing',
      key: '22222222-2222-4222-9222-222222222222',
      expected: 'found',
      value: '',
    },
    { name: 'a valid key that is not stored is not found', key: MISSING, expected: 'not_found', code: 'KEY_NOT_FOUND' },
    { name: 'a key that is not a UUIDv4 is invalid', key: 'not-a-uuid', expected: 'invalid', code: 'KEY_INVALID' },
  ];
  for (const row of rows) {
    test(row.name, async () => {
      const result = await client.get(row.key);
      assert.equal(result.kind, row.expected);
      assert.equal(result.key, row.key);
      if (result.kind === 'found') assert.equal(result.value, row.value);
      else {
        assert.equal(result.code, row.code);
        assert.match(result.message, /\S/);
      }
    });
  }

  test('a key too long for the body limit rejects with the server message and code', async () => {
    await assert.rejects(client.get('x'.repeat(10_000)), (err: unknown) => {
      clientError('BODY_TOO_LARGE', 413)(err);
      assert.match((err as Error).message, /limit/);
      return true;
    });
  });
});

describe('RokvClient batching', () => {
  test('getMany splits keys into batches of batchSize and keeps their order, repeats included', async () => {
    const server = await startFakeServer((req, res) => {
      const { keys } = JSON.parse(req.body) as { keys: string[] };
      const results = keys.map((k) =>
        k.startsWith('m') ? { message: `key ${k} is not in the data set`, code: 'KEY_NOT_FOUND' } : { value: `v-${k}` },
      );
      // Answer later batches first: order must come from the request, not from arrival.
      setTimeout(() => sendJson(res, 200, { results }), keys[0] === 'a' ? 60 : 0);
    });
    const client = new RokvClient({ url: server.url, batchSize: 2 });
    after(() => client.close());
    const keys = ['a', 'm1', 'b', 'a', 'c'];
    const results = await client.getMany(keys);
    assert.deepEqual(
      results.map((r) => (r.kind === 'found' ? r.value : r.kind)),
      ['v-a', 'not_found', 'v-b', 'v-a', 'v-c'],
    );
    assert.deepEqual(
      results.map((r) => r.key),
      keys,
    );
    assert.equal(server.seen.length, 3);
    assert.ok(server.seen.every((r) => r.method === 'POST' && r.url === '/get_values'));
  });

  test('getMany rejects when the server answers a batch with the wrong number of results', async () => {
    const server = await startFakeServer((_req, res) => sendJson(res, 200, { results: [{ value: 'only one' }] }));
    const client = new RokvClient({ url: server.url });
    after(() => client.close());
    await assert.rejects(client.getMany([FOUND, MISSING]), clientError('BAD_RESPONSE', 200));
  });
});

describe('RokvClient dataset', () => {
  test('dataset() reads GET /dataset, under the path prefix of the url', async () => {
    const info = {
      id: 'sha256:abc',
      count: 3,
      createdAt: '2026-01-01T00:00:00.000Z',
      source: 'input.json',
      formatVersion: 1,
    };
    const server = await startFakeServer((req, res) =>
      req.method === 'GET' && req.url === '/kv/dataset'
        ? sendJson(res, 200, info)
        : sendJson(res, 404, { message: 'no route', code: 'ROUTE_NOT_FOUND' }),
    );
    const client = new RokvClient({ url: `${server.url}/kv/` });
    after(() => client.close());
    assert.deepEqual(await client.dataset(), info);
  });
});

describe('RokvClient timeouts, cancellation and retries', () => {
  test('a call to a server that never answers rejects with TIMEOUT after timeoutMs', async () => {
    const server = await startFakeServer(() => undefined);
    const client = new RokvClient({ url: server.url, timeoutMs: 150 });
    after(() => client.close());
    const started = Date.now();
    await assert.rejects(client.get(FOUND), clientError('TIMEOUT'));
    assert.ok(Date.now() - started < 5000);
  });

  test('an aborted signal rejects with ABORTED', async () => {
    const server = await startFakeServer(() => undefined);
    const client = new RokvClient({ url: server.url, timeoutMs: 10_000 });
    after(() => client.close());
    const controller = new AbortController();
    const call = client.get(FOUND, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(call, clientError('ABORTED'));
  });

  test('connections the server closes without answering are retried until an answer comes', async () => {
    const server = await startFakeServer((req, res, raw) => {
      if (server.seen.length <= 2) raw.socket.destroy();
      else
        sendJson(res, 200, {
          value: `after ${server.seen.length} tries for ${(JSON.parse(req.body) as { key: string }).key}`,
        });
    });
    const client = new RokvClient({ url: server.url, retries: 3, retryDelayMs: 5 });
    after(() => client.close());
    assert.deepEqual(await client.get(FOUND), { kind: 'found', key: FOUND, value: `after 3 tries for ${FOUND}` });
  });

  test('a 503 is retried, then its message and code reach the caller', async () => {
    const server = await startFakeServer((_req, res) =>
      sendJson(res, 503, { message: 'service unavailable: draining', code: 'UNAVAILABLE' }),
    );
    const client = new RokvClient({ url: server.url, retries: 2, retryDelayMs: 5 });
    after(() => client.close());
    await assert.rejects(client.get(FOUND), (err: unknown) => {
      clientError('UNAVAILABLE', 503)(err);
      assert.equal((err as Error).message, 'service unavailable: draining');
      return true;
    });
    assert.equal(server.seen.length, 3);
  });

  const notRetried = [
    { status: 500, body: { message: 'internal server error; the failure was logged', code: 'INTERNAL' } },
    { status: 400, body: { message: 'request body is empty', code: 'BODY_EMPTY' } },
  ];
  for (const { status, body } of notRetried) {
    test(`a ${status} answer is not retried and carries the server's code ${body.code}`, async () => {
      const server = await startFakeServer((_req, res) => sendJson(res, status, body));
      const client = new RokvClient({ url: server.url, retries: 3, retryDelayMs: 5 });
      after(() => client.close());
      await assert.rejects(client.get(FOUND), clientError(body.code, status));
      assert.equal(server.seen.length, 1);
    });
  }

  test('a refused connection is reported as CONNECTION once the retries are spent', async () => {
    const server = await startFakeServer((_req, res, raw) => {
      res.destroy();
      raw.socket.destroy();
    });
    const client = new RokvClient({ url: server.url, retries: 1, retryDelayMs: 5 });
    after(() => client.close());
    await assert.rejects(client.get(FOUND), clientError('CONNECTION'));
    assert.equal(server.seen.length, 2);
  });
});
