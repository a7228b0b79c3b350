import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Recorder } from '../../src/loadtest/stats.js';

test('percentiles are ordered and never above the exact maximum', () => {
  const r = new Recorder();
  for (let i = 1; i <= 999; i++) r.answered(i / 100, 200, [{ outcome: 'found' }]);
  r.answered(1234.567, 200, [{ outcome: 'found' }]);
  const l = r.latency();
  assert.equal(l.max, 1234.567);
  assert.ok(l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.p999 && l.p999 <= l.max, JSON.stringify(l));
  assert.ok(Math.abs(l.p50 - 5) < 0.01, `p50 of 0.01..9.99 ms is about 5 ms, got ${l.p50}`);
  const two = new Recorder();
  two.answered(1, 200, [{ outcome: 'found' }]);
  two.answered(1234.567, 200, [{ outcome: 'found' }]);
  assert.equal(two.latency().p99, 1234.567, 'the top percentile is the maximum, not the top of its bucket');
});

test('intervals, histogram bars and outcomes account for every request', () => {
  const r = new Recorder();
  r.answered(1, 200, [{ outcome: 'found' }, { outcome: 'wrong', wrong: { key: 'k', expected: 'a', received: 'b' } }]);
  r.closeInterval(1);
  r.answered(3, 404, [{ outcome: 'missing' }, { outcome: 'missing' }]);
  r.failed('timeout', 2);
  const last = r.closeInterval(1.5);
  assert.deepEqual(
    r.intervals.map((i) => [i.t, i.seconds, i.requests, i.keys, i.errors, i.wrong]),
    [
      [1, 1, 1, 2, 0, 1],
      [1.5, 0.5, 2, 4, 2, 0],
    ],
  );
  assert.equal(last.latency.max, 3);
  assert.equal(
    r.histogram().reduce((a, b) => a + b.count, 0),
    2,
    'bars count the answered requests',
  );
  assert.deepEqual(r.totals.statuses, { 200: 1, 404: 1 });
  assert.deepEqual(r.totals.failures, { timeout: 1 });
  assert.deepEqual(r.totals.outcomes, { found: 1, missing: 2, invalid: 0, wrong: 1, error: 2 });
  assert.equal(r.totals.wrongExamples.length, 1);
});
