import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appOf } from '../helpers/app.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
const ALLOWED = 'https://app.example.com';

const fromOrigin = (origin: string) => ({
  method: 'POST' as const,
  url: '/get_value',
  payload: JSON.stringify({ key: KEY }),
  headers: { 'content-type': 'application/json', origin },
});

const preflight = (origin: string) => ({
  method: 'OPTIONS' as const,
  url: '/get_value',
  headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
});

describe('CORS', () => {
  test('is off by default: no CORS header, preflight refused', async (t) => {
    const { app, close } = await appOf({ [KEY]: 'v' });
    t.after(close);
    const res = await app.inject(fromOrigin(ALLOWED));
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    const pre = await app.inject(preflight(ALLOWED));
    assert.equal(pre.statusCode, 405);
    assert.equal(pre.headers['access-control-allow-origin'], undefined);
  });

  test('with an allow-list, answers listed origins and only them', async (t) => {
    const { app, close } = await appOf({ [KEY]: 'v' }, { corsOrigins: [ALLOWED] });
    t.after(close);
    const res = await app.inject(fromOrigin(ALLOWED));
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['access-control-allow-origin'], ALLOWED);
    const pre = await app.inject(preflight(ALLOWED));
    assert.equal(pre.statusCode, 204);
    assert.equal(pre.headers['access-control-allow-origin'], ALLOWED);
    assert.match(String(pre.headers['access-control-allow-methods']), /POST/);
    const other = await app.inject(fromOrigin('https://evil.example.net'));
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });
});
