import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, test } from 'node:test';
import { startRokv } from '../helpers/binary.js';

// The first key of the bundled example data set, which `rokv serve` serves without --data.
const KEY = '1c39ae30-ec4a-4ffb-88d5-53ef7dfd26a8';

/** One request on a fresh connection, so node:cluster hands successive requests to different workers. */
function fresh(url: string, method: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, agent: false, headers: body ? { 'content-type': 'application/json' } : {}, timeout: 10_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

const sample = (page: string, line: string): number | undefined => {
  const hit = page.split('\n').find((l) => l.startsWith(`${line} `));
  return hit === undefined ? undefined : Number(hit.slice(line.length + 1));
};

describe('rokv serve with several workers', () => {
  test('reports every worker in /metrics, whichever worker answers the scrape', async () => {
    const server = await startRokv(['--workers', '2']);
    assert.equal((await fresh(`${server.url}/readyz`, 'GET')).status, 200);
    const n = 20;
    for (let i = 0; i < n; i++) {
      const res = await fresh(`${server.url}/get_value`, 'POST', JSON.stringify({ key: KEY }));
      assert.equal(res.status, 200);
    }
    const name = 'rokv_http_requests_total{route="/get_value",method="POST",status="200"}';
    for (let scrape = 0; scrape < 4; scrape++) {
      const page = await fresh(`${server.url}/metrics`, 'GET');
      assert.equal(page.status, 200, server.logs());
      assert.equal(sample(page.text, name), n, `scrape ${scrape}`);
      assert.equal(sample(page.text, 'rokv_lookups_total{outcome="found"}'), n);
      assert.equal(sample(page.text, 'rokv_dataset_pairs'), 10_000);
    }
    assert.equal(await server.stop(), 0);
  });
});
