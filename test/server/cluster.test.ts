import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { restartDelayMs } from '../../src/server/cluster.js';

describe('worker restart backoff', () => {
  const cases: [number, number][] = [
    [1, 100],
    [2, 200],
    [3, 400],
    [5, 1_600],
    [9, 25_600],
    [10, 30_000],
    [1_000, 30_000],
  ];
  for (const [deaths, delay] of cases) {
    test(`${deaths} death(s) in the last minute wait ${delay} ms before the replacement`, () => {
      assert.equal(restartDelayMs(deaths), delay);
    });
  }
});
