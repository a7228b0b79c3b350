import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appOf, postJson } from '../helpers/app.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
const MISSING = '0b8a4bb1-6d1d-4c5e-9a8b-2f2f0f2f2f2f';

/** The value of one sample line of a Prometheus text page, or undefined when absent. */
function sample(page: string, name: string): number | undefined {
  for (const line of page.split('\n')) {
    if (line.startsWith(`${name} `)) return Number(line.slice(name.length + 1));
  }
  return undefined;
}

describe('GET /metrics', () => {
  test('counts a known sequence of requests exactly', async (t) => {
    const { app, store, close } = await appOf({ [KEY]: 'v', '11111111-1111-4111-8111-111111111111': 'w' });
    t.after(close);
    for (let i = 0; i < 3; i++) await postJson(app, '/get_value', { key: KEY });
    await postJson(app, '/get_value', { key: MISSING });
    await postJson(app, '/get_value', { key: 'nope' });
    await postJson(app, '/get_value', { key: 5 });
    await postJson(app, '/get_values', { keys: [KEY, MISSING, 'bad', KEY] });
    await postJson(app, '/get_values', { keys: [KEY] });
    await postJson(app, '/get_values', { keys: [] });
    await app.inject({ method: 'GET', url: `/values/${KEY}` });
    await app.inject({ method: 'GET', url: `/values/${MISSING}` });
    await app.inject({ method: 'GET', url: `/values/${KEY}`, headers: { 'if-none-match': '*' } });
    await app.inject({ method: 'DELETE', url: '/get_value' });

    const res = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain/);
    const page = res.body;
    const expected: [string, number][] = [
      ['rokv_http_requests_total{route="/get_value",method="POST",status="200"}', 3],
      ['rokv_http_requests_total{route="/get_value",method="POST",status="404"}', 1],
      ['rokv_http_requests_total{route="/get_value",method="POST",status="400"}', 2],
      ['rokv_http_requests_total{route="/get_values",method="POST",status="200"}', 2],
      ['rokv_http_requests_total{route="/get_values",method="POST",status="400"}', 1],
      ['rokv_http_requests_total{route="/values/:key",method="GET",status="200"}', 1],
      ['rokv_http_requests_total{route="/values/:key",method="GET",status="404"}', 1],
      ['rokv_http_requests_total{route="/values/:key",method="GET",status="304"}', 1],
      ['rokv_http_requests_total{route="/get_value",method="DELETE",status="405"}', 1],
      // found: 3 + 2 (batch) + 1 (batch) + 2 (GET and 304); missing: 1 + 1 + 1; invalid: 2 + 1.
      ['rokv_lookups_total{outcome="found"}', 8],
      ['rokv_lookups_total{outcome="missing"}', 3],
      ['rokv_lookups_total{outcome="invalid"}', 3],
      ['rokv_batch_keys_count', 2],
      ['rokv_batch_keys_sum', 5],
      ['rokv_batch_keys_bucket{le="1"}', 1],
      ['rokv_http_request_duration_seconds_count{route="/get_value",method="POST"}', 6],
      ['rokv_http_request_duration_seconds_bucket{route="/get_value",method="POST",le="+Inf"}', 6],
      ['rokv_dataset_pairs', 2],
      [`rokv_dataset_info{id="${store.info().id}"}`, 1],
    ];
    for (const [name, value] of expected) assert.equal(sample(page, name), value, name);
    assert.ok((sample(page, 'process_cpu_user_seconds_total') ?? -1) >= 0, 'process metrics are there');
  });
});
