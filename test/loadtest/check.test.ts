import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkBatch, checkSingle, type Outcome } from '../../src/loadtest/check.js';
import type { Expectation } from '../../src/loadtest/keys.js';
import { sumMetric } from '../../src/loadtest/server-metrics.js';

const KEY = '8a35eb59-62b3-481c-8875-1f248df4c952';
const value = (v: string): Expectation => ({ kind: 'value', value: v });
const err = (code: string) => JSON.stringify({ message: 'why', code });

describe('checking one answer', () => {
  const rows: { name: string; expect: Expectation; status: number; body: string; outcome: Outcome }[] = [
    {
      name: 'the stored value is found',
      expect: value('a "b"'),
      status: 200,
      body: '{"value":"a \\"b\\""}',
      outcome: 'found',
    },
    { name: 'another value is wrong', expect: value('a'), status: 200, body: '{"value":"b"}', outcome: 'wrong' },
    {
      name: 'a 404 for a stored key is wrong',
      expect: value('a'),
      status: 404,
      body: err('KEY_NOT_FOUND'),
      outcome: 'wrong',
    },
    { name: 'a 200 that is not JSON is wrong', expect: value('a'), status: 200, body: 'a', outcome: 'wrong' },
    {
      name: 'a 404 with a message for a missing key is right',
      expect: { kind: 'missing' },
      status: 404,
      body: err('KEY_NOT_FOUND'),
      outcome: 'missing',
    },
    {
      name: 'a value for a missing key is wrong',
      expect: { kind: 'missing' },
      status: 200,
      body: '{"value":"x"}',
      outcome: 'wrong',
    },
    {
      name: 'a 400 for an invalid key is right',
      expect: { kind: 'invalid' },
      status: 400,
      body: err('KEY_INVALID'),
      outcome: 'invalid',
    },
    {
      name: 'a 404 for an invalid key is wrong',
      expect: { kind: 'invalid' },
      status: 404,
      body: err('KEY_NOT_FOUND'),
      outcome: 'wrong',
    },
    {
      name: 'a 400 without a message is wrong',
      expect: { kind: 'invalid' },
      status: 400,
      body: '{}',
      outcome: 'wrong',
    },
    {
      name: 'a listed key may be found',
      expect: { kind: 'found-or-missing' },
      status: 200,
      body: '{"value":"x"}',
      outcome: 'found',
    },
    {
      name: 'a listed key may be missing',
      expect: { kind: 'found-or-missing' },
      status: 404,
      body: err('KEY_NOT_FOUND'),
      outcome: 'missing',
    },
    {
      name: 'a listed key may not be invalid',
      expect: { kind: 'found-or-missing' },
      status: 400,
      body: err('KEY_INVALID'),
      outcome: 'wrong',
    },
    {
      name: 'a 500 is an error, not a wrong answer',
      expect: value('a'),
      status: 500,
      body: err('INTERNAL'),
      outcome: 'error',
    },
    { name: 'a 503 is an error', expect: { kind: 'missing' }, status: 503, body: '', outcome: 'error' },
    { name: 'a 429 is an error', expect: { kind: 'missing' }, status: 429, body: '', outcome: 'error' },
  ];
  for (const row of rows) {
    test(`${row.name} (${row.outcome})`, () => {
      const verdict = checkSingle({ key: KEY, expect: row.expect }, row.status, row.body);
      assert.equal(verdict.outcome, row.outcome);
      assert.equal(verdict.wrong !== undefined, row.outcome === 'wrong');
    });
  }
});

describe('checking a batch answer', () => {
  const probes = [
    { key: KEY, expect: value('a') },
    { key: KEY, expect: { kind: 'missing' } as Expectation },
    { key: 'x', expect: { kind: 'invalid' } as Expectation },
  ];
  test('each element is judged against its own key, in order', () => {
    const body = JSON.stringify({
      results: [{ value: 'a' }, { message: 'm', code: 'KEY_NOT_FOUND' }, { message: 'm', code: 'KEY_INVALID' }],
    });
    assert.deepEqual(
      checkBatch(probes, 200, body).map((v) => v.outcome),
      ['found', 'missing', 'invalid'],
    );
  });
  test('results out of order are wrong', () => {
    const body = JSON.stringify({
      results: [{ message: 'm', code: 'KEY_NOT_FOUND' }, { value: 'a' }, { message: 'm', code: 'KEY_INVALID' }],
    });
    assert.deepEqual(
      checkBatch(probes, 200, body).map((v) => v.outcome),
      ['wrong', 'wrong', 'invalid'],
    );
  });
  test('too few results make every key wrong', () => {
    assert.deepEqual(
      checkBatch(probes, 200, '{"results":[{"value":"a"}]}').map((v) => v.outcome),
      ['wrong', 'wrong', 'wrong'],
    );
  });
  test('a 503 makes every key an error', () => {
    assert.deepEqual(
      checkBatch(probes, 503, '').map((v) => v.outcome),
      ['error', 'error', 'error'],
    );
  });
});

describe('reading /metrics', () => {
  const text = [
    '# HELP process_cpu_seconds_total Total CPU.',
    '# TYPE process_cpu_seconds_total counter',
    'process_cpu_seconds_total{worker="1"} 1.5',
    'process_cpu_seconds_total{worker="2",le="a}b"} 2.25 1700000000000',
    'process_cpu_seconds_total_extra 100',
    'process_resident_memory_bytes 1048576',
  ].join('\n');
  test('a metric is summed over its series, labels and timestamps ignored', () => {
    assert.equal(sumMetric(text, 'process_cpu_seconds_total'), 3.75);
    assert.equal(sumMetric(text, 'process_resident_memory_bytes'), 1048576);
  });
  test('an absent metric is undefined, not zero', () => {
    assert.equal(sumMetric(text, 'process_open_fds'), undefined);
  });
});
