import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LoadResult } from '../../src/loadtest/run.js';
import { runRokv } from '../helpers/binary.js';
import { sendJson, startFakeServer } from '../helpers/fake-server.js';
import { loadtestJson as loadtest, mixedKeysFrom, numberedPairs, serveLoadTarget } from '../helpers/loadtest.js';

const pairs = numberedPairs('8a35eb59-62b3-481c-8875-', 40, (i) => `value number ${i} with "quotes" and ünïcödé`);
const LIAR_KEY = '8a35eb59-62b3-481c-8875-000000000007';
const { snapshot, server } = await serveLoadTarget(pairs);

const sum = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);

/** The bookkeeping every run must satisfy, whatever the server did. */
function assertCountsAddUp(r: LoadResult, keysPerRequest = 1) {
  const t = r.totals;
  assert.equal(sum(t.statuses) + sum(t.failures), t.requests, 'every request has a status or a failure');
  assert.equal(sum(t.outcomes), t.keys, 'every key has one outcome');
  assert.equal(t.keys, t.requests * keysPerRequest);
  assert.equal(
    r.intervals.reduce((a, i) => a + i.requests, 0),
    t.requests,
    'the intervals account for every request',
  );
}

describe('rokv loadtest against a real server', () => {
  test('a closed-loop run checks every answer, and the counts add up', async () => {
    const { code, result } = await loadtest([
      '--url',
      server.url,
      '--duration',
      '2',
      '--connections',
      '4',
      ...mixedKeysFrom(snapshot),
    ]);
    assert.equal(code, 0);
    assertCountsAddUp(result);
    const { outcomes, statuses } = result.totals;
    assert.ok(result.totals.requests > 50, `only ${result.totals.requests} requests in 2 s`);
    assert.equal(outcomes.wrong, 0);
    assert.equal(outcomes.error, 0);
    assert.equal(statuses['200'], outcomes.found);
    assert.equal(statuses['404'], outcomes.missing);
    assert.equal(statuses['400'], outcomes.invalid);
    assert.ok(outcomes.found > 0 && outcomes.missing > 0 && outcomes.invalid > 0);
    assert.equal(result.mode, 'closed');
    assert.ok(
      result.latencyMs.p50 > 0 &&
        result.latencyMs.p50 <= result.latencyMs.p99 &&
        result.latencyMs.p99 <= result.latencyMs.max,
    );
  });

  test('an open-loop run sends exactly rate times duration requests', async () => {
    const { code, result } = await loadtest([
      '--url',
      server.url,
      '--rate',
      '100',
      '--duration',
      '2',
      '--keys-from',
      snapshot,
    ]);
    assert.equal(code, 0);
    assertCountsAddUp(result);
    assert.equal(result.mode, 'open');
    assert.equal(result.totals.requests, 200);
    assert.equal(result.totals.outcomes.found, 200);
  });

  test('the request cap stops a run before its duration', async () => {
    const { code, result } = await loadtest(['--url', server.url, '--requests', '75', '--duration', '60']);
    assert.equal(code, 0);
    assertCountsAddUp(result);
    assert.equal(result.totals.requests, 75);
    assert.equal(result.totals.outcomes.missing, 75, 'random UUIDs are all missing');
    assert.ok(result.elapsedS < 30);
  });

  test('a warm-up is not counted', async () => {
    const { result } = await loadtest(['--url', server.url, '--rate', '50', '--duration', '1', '--warmup', '1']);
    assert.equal(result.totals.requests, 50);
  });
});

describe('rokv loadtest against a server that lies', () => {
  test('wrong values are counted as wrong answers, apart from errors, and the run fails', async () => {
    const liar = await startFakeServer((req, res) => {
      if (req.url !== '/get_value') return sendJson(res, 404, { message: 'no route' });
      const key = (JSON.parse(req.body) as { key: string }).key;
      if (key === LIAR_KEY) return sendJson(res, 200, { value: 'not the stored value' });
      if (key === '8a35eb59-62b3-481c-8875-000000000008')
        return sendJson(res, 503, { message: 'busy', code: 'UNAVAILABLE' });
      const value = pairs[key];
      return value === undefined
        ? sendJson(res, 404, { message: 'missing', code: 'KEY_NOT_FOUND' })
        : sendJson(res, 200, { value });
    });
    const { code, result, stderr } = await loadtest([
      '--url',
      liar.url,
      '--requests',
      '800',
      '--duration',
      '20',
      '--keys-from',
      snapshot,
    ]);
    assertCountsAddUp(result);
    const { outcomes } = result.totals;
    // The first request is the unmeasured check that the server answers at all.
    const measured = liar.seen.slice(1);
    const askedLiar = measured.filter((r) => r.url === '/get_value' && r.body.includes(LIAR_KEY)).length;
    const asked503 = measured.filter((r) => r.url === '/get_value' && r.body.includes('000000000008')).length;
    assert.ok(askedLiar > 0 && asked503 > 0, '800 draws from 40 keys hit both special keys');
    assert.equal(outcomes.wrong, askedLiar);
    assert.equal(outcomes.error, asked503);
    assert.equal(outcomes.found, 800 - askedLiar - asked503);
    assert.equal(result.totals.wrongExamples[0]?.key, LIAR_KEY);
    assert.match(result.totals.wrongExamples[0].received, /not the stored value/);
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`${askedLiar} wrong answer`));
  });

  test('a batch answer with a wrong element or a missing result is caught key by key', async () => {
    const liar = await startFakeServer((req, res) => {
      if (req.url !== '/get_values') return sendJson(res, 404, { message: 'no route' });
      const { keys } = JSON.parse(req.body) as { keys: string[] };
      const results = keys.map((k) => (k === LIAR_KEY ? { value: 'lie' } : { value: pairs[k] }));
      sendJson(res, 200, { results });
    });
    const { result } = await loadtest([
      '--url',
      liar.url,
      '--requests',
      '100',
      '--duration',
      '20',
      '--batch',
      '10',
      '--keys-from',
      snapshot,
    ]);
    assertCountsAddUp(result, 10);
    const lies = liar.seen
      .slice(1) // the unmeasured reachability check
      .filter((r) => r.url === '/get_values')
      .reduce((a, r) => a + (JSON.parse(r.body) as { keys: string[] }).keys.filter((k) => k === LIAR_KEY).length, 0);
    assert.equal(result.totals.keys, 1000);
    assert.equal(result.totals.outcomes.wrong, lies);
    assert.equal(result.totals.outcomes.found, 1000 - lies);
  });
});

describe('rokv loadtest refuses what it should', () => {
  test('it exits 1 at once, saying why, when nothing answers at the URL', async () => {
    const nobody = await startFakeServer(() => undefined);
    const url = nobody.url;
    await nobody.close();
    const started = Date.now();
    const { code, stdout, stderr } = await runRokv(['loadtest', '--url', url, '--duration', '30']);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /cannot load .* got no answer \(ECONNREFUSED\)/);
    assert.ok(Date.now() - started < 20_000, 'it does not load for the whole duration');
  });

  const rows = [
    { name: 'no bound at all', args: ['--url', 'http://127.0.0.1:9'], stderr: /unbounded/ },
    { name: 'no --url', args: ['--duration', '1'], stderr: /^rokv: --url URL is required: the server to load/ },
    { name: 'a non-http URL', args: ['--url', 'ftp://127.0.0.1/', '--duration', '1'], stderr: /http/ },
    {
      name: 'a miss ratio above 1',
      args: ['--url', 'http://127.0.0.1:9', '--duration', '1', '--miss-ratio', '2'],
      stderr: /--miss-ratio/,
    },
    { name: 'a negative duration', args: ['--url', 'http://127.0.0.1:9', '--duration', '-1'], stderr: /--duration/ },
  ];
  for (const row of rows) {
    test(`it exits 2 with a usage message on ${row.name}`, async () => {
      const { code, stdout, stderr } = await runRokv(['loadtest', ...row.args]);
      assert.equal(code, 2);
      assert.equal(stdout, '');
      assert.match(stderr, row.stderr);
    });
  }
});
