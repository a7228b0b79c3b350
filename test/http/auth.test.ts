import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { parseServeConfig } from '../../src/config.js';
import { RokvError } from '../../src/errors.js';
import { ApiKeys, hashApiKey, parseKeyDigests } from '../../src/http/api-keys.js';
import { buildApp } from '../../src/http/app.js';
import { needsApiKey } from '../../src/http/auth.js';
import { LmdbStore } from '../../src/store/lmdb.js';
import { snapshotOf } from '../helpers/snapshot.js';
import { tempDir } from '../helpers/tmp.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
const GOOD = 'k-3f9c2e7a51d04b6e';
const OTHER = 'k-second-team-key';

let store: LmdbStore;
let app: FastifyInstance;
let keysFile: string;

before(async () => {
  store = await LmdbStore.open(await snapshotOf({ [KEY]: 'v' }));
  keysFile = join(await tempDir(), 'keys');
  await writeFile(keysFile, `# team A\n${hashApiKey(GOOD)}\n\n${hashApiKey(OTHER).toUpperCase()}  # team B\n`);
  app = buildApp(store, parseServeConfig({ workers: 1 }), { apiKeys: new ApiKeys({ file: keysFile }) });
  await app.ready();
});
after(async () => {
  await app.close();
  await store.close();
});

const ask = (authorization?: string, url = '/get_value') =>
  app.inject({
    method: 'POST',
    url,
    payload: { key: KEY },
    headers: authorization === undefined ? {} : { authorization },
  });

describe('API keys', () => {
  test('a request with an accepted key gets the value', async () => {
    for (const key of [GOOD, OTHER]) {
      const res = await ask(`Bearer ${key}`);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { value: 'v' });
    }
  });

  const refused: [string, string | undefined, string, RegExp][] = [
    ['no Authorization header', undefined, 'AUTH_MISSING', /^Bearer realm="rokv"$/],
    ['another scheme', `Basic ${Buffer.from(`u:${GOOD}`).toString('base64')}`, 'AUTH_MISSING', /^Bearer realm="rokv"$/],
    ['a wrong key', 'Bearer nope', 'AUTH_INVALID', /error="invalid_token"/],
    ['a key that differs in its last character', `Bearer ${GOOD.slice(0, -1)}f`, 'AUTH_INVALID', /invalid_token/],
    ['the digest itself instead of the key', `Bearer ${hashApiKey(GOOD)}`, 'AUTH_INVALID', /invalid_token/],
    ['an empty bearer', 'Bearer ', 'AUTH_MISSING', /realm/],
  ];
  for (const [name, header, code, challenge] of refused) {
    test(`a request with ${name} is refused with 401, a message and WWW-Authenticate`, async () => {
      const res = await ask(header);
      assert.equal(res.statusCode, 401);
      assert.equal(res.json<{ code: string }>().code, code);
      assert.match(res.json<{ message: string }>().message, /Authorization: Bearer/);
      assert.match(String(res.headers['www-authenticate']), challenge);
    });
  }

  test('unknown paths need a key too, so routes cannot be probed anonymously', async () => {
    assert.equal((await ask(undefined, '/secret')).statusCode, 401);
    assert.equal((await ask(`Bearer ${GOOD}`, '/secret')).statusCode, 404);
  });

  const routes: [string, boolean, boolean][] = [
    ['/get_value', true, true],
    ['/get_values', true, true],
    ['/values/abc?x=1', true, true],
    ['/healthz', false, false],
    ['/readyz', false, false],
    ['/metrics', false, true],
    ['/docs/json', false, true],
    ['/admin/activate', false, false],
    ['/adminx', true, true],
  ];
  for (const [path, open, closedOps] of routes) {
    test(`${path} needs a key: ${open} with ops open, ${closedOps} with ops closed`, () => {
      assert.equal(needsApiKey(path.split('?')[0]!, false), open);
      assert.equal(needsApiKey(path.split('?')[0]!, true), closedOps);
    });
  }

  test('probes stay open while a query string or odd spelling cannot open a data route', async () => {
    const probed = buildApp(store, parseServeConfig({ workers: 1 }), {
      apiKeys: new ApiKeys({ digests: hashApiKey(GOOD) }),
    });
    await probed.ready();
    const get = async (method: 'GET' | 'POST', url: string) =>
      (await probed.inject({ method, url, payload: method === 'POST' ? { key: KEY } : undefined })).statusCode;
    assert.deepEqual(
      [await get('GET', '/healthz'), await get('POST', '/get_value?next=/healthz'), await get('POST', '/get_valu%65')],
      [200, 401, 401],
    );
    await probed.close();
  });

  test('a keys file holding a plain key instead of a digest is refused, naming the line', () => {
    assert.throws(
      () => parseKeyDigests(`${hashApiKey(GOOD)}\nmy-plain-key\n`, 'keys.txt'),
      (err: unknown) =>
        err instanceof RokvError && /keys\.txt line 2/.test(err.message) && !err.message.includes('my-plain-key'),
    );
  });

  test('digests from the environment are comma-separated', () => {
    const keys = new ApiKeys({ digests: `${hashApiKey('a')}, ${hashApiKey('b')}` });
    assert.deepEqual([keys.allows('a'), keys.allows('b'), keys.allows('c'), keys.size], [true, true, false, 2]);
  });

  test('a reload that fails keeps the previous keys', async () => {
    const file = join(await tempDir(), 'keys');
    await writeFile(file, hashApiKey('old'));
    const keys = new ApiKeys({ file });
    await writeFile(file, 'not a digest');
    assert.throws(() => keys.reload(), RokvError);
    assert.equal(keys.allows('old'), true);
  });
});
