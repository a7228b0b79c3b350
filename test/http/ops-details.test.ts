import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseServeConfig } from '../../src/config.js';
import { buildAdminApp } from '../../src/http/admin.js';
import { ApiKeys, hashApiKey } from '../../src/http/api-keys.js';
import { appOf } from '../helpers/app.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
const DATA_KEY = 'k-3f9c2e7a51d04b6e';
const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
/** What a data root's reloader reports: a path and a refusal reason, for operators only. */
const VERSIONS = {
  version: '0123456789abcdef',
  swaps: 1,
  refusals: 1,
  lastRefusal: { version: 'fedcba9876543210', reason: 'snapshot at /srv/rokv/versions/x is corrupt', at: 'now' },
};
const STATUS_ONLY = '{"status":"ready"}';

/** `/readyz`'s body for a caller sending `authorization`, with API keys on and the given options. */
async function readyzBody(config: Record<string, unknown>, authorization: string | undefined): Promise<string> {
  const apiKeys = new ApiKeys({ digests: hashApiKey(DATA_KEY) });
  const { app, close } = await appOf({ [KEY]: 'v' }, config, { apiKeys, versions: () => VERSIONS });
  try {
    const res = await app.inject({
      method: 'GET',
      url: '/readyz',
      headers: authorization === undefined ? {} : { authorization },
    });
    assert.equal(res.statusCode, 200);
    return res.body;
  } finally {
    apiKeys.close();
    await close();
  }
}

describe('operational details stay with operators', () => {
  const CASES: [string, Record<string, unknown>, string | undefined, boolean][] = [
    ['an anonymous client', {}, undefined, false],
    ['a client with a wrong key', { authOps: true }, 'Bearer nope', false],
    ['a data client when ops routes are open', {}, `Bearer ${DATA_KEY}`, false],
    ['a data client with --auth-ops', { authOps: true }, `Bearer ${DATA_KEY}`, true],
    ['a caller with the admin token', { adminToken: ADMIN_TOKEN }, `Bearer ${ADMIN_TOKEN}`, true],
  ];
  for (const [who, config, authorization, details] of CASES) {
    test(`/readyz with API keys on shows ${details ? 'details' : 'only the status'} to ${who}`, async () => {
      const body = await readyzBody(config, authorization);
      if (details) assert.deepEqual(JSON.parse(body), { status: 'ready', versions: VERSIONS });
      else assert.equal(body, STATUS_ONLY);
    });
  }

  test('/readyz shows details to everyone while API keys are off', async () => {
    const { app, close } = await appOf({ [KEY]: 'v' }, {}, { versions: () => VERSIONS });
    try {
      const res = await app.inject({ method: 'GET', url: '/readyz' });
      assert.deepEqual(JSON.parse(res.body), { status: 'ready', versions: VERSIONS });
    } finally {
      await close();
    }
  });

  test("the admin port holds connections to the main port's timeouts and connection limit", async () => {
    const config = parseServeConfig({
      workers: 1,
      headersTimeoutMs: 4321,
      requestTimeoutMs: 8765,
      keepAliveTimeoutMs: 6543,
      maxConnections: 77,
    });
    const actions = {
      activate: () => Promise.reject(new Error('unused')),
      rollback: () => Promise.reject(new Error('unused')),
      status: () => ({}),
    };
    const admin = buildAdminApp(ADMIN_TOKEN, actions, false, config);
    try {
      await admin.ready();
      const server = admin.server;
      assert.deepEqual(
        [server.headersTimeout, server.requestTimeout, server.keepAliveTimeout, server.maxConnections],
        [4321, 8765, 6543, 77],
      );
    } finally {
      await admin.close();
    }
  });
});
